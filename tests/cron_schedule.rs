//! The crontab schedule reader, seen through the `OnCalendar=` lines it becomes: the DOM/DOW OR
//! rule and Vixie's `*` exception, nicknames, steps, Vixie's rejections, cronie's `~` ranges.
//! (Here rather than inside the frontend, which depends on the IR only.)
use systemdify::back::systemd::on_calendar::expression;
use systemdify::front::cron::schedule::*;

fn on_calendar(line: &str) -> Vec<String> {
    let job = parse_job(line, Dialect::Debian).unwrap();
    let Spec::Calendar(f) = job.spec else {
        panic!("not a calendar")
    };
    f.events(None).iter().map(expression).collect()
}

fn error(line: &str) -> (u32, String) {
    let e = parse_job(line, Dialect::Debian).unwrap_err();
    (e.column, e.message)
}

#[test]
fn both_day_fields_restricted_is_or() {
    assert_eq!(
        on_calendar("30 4 1,15 * 5 cmd"),
        ["*-*-01,15 04:30:00", "Fri *-*-* 04:30:00"]
    );
    assert_eq!(
        on_calendar("0 9 1-7 * mon cmd"),
        ["*-*-01..07 09:00:00", "Mon *-*-* 09:00:00"]
    );
    assert_eq!(
        on_calendar("0 0 29 2 1 cmd"),
        ["*-02-29 00:00:00", "Mon *-02-* 00:00:00"]
    );
}

#[test]
fn a_day_field_starting_with_star_makes_it_and() {
    assert_eq!(
        on_calendar("0 0 */2 * 1 cmd"),
        ["Mon *-*-01,03,05,07,09,11,13,15,17,19,21,23,25,27,29,31 00:00:00"]
    );
    assert_eq!(
        on_calendar("0 0 1,15 * */2 cmd"),
        ["Tue,Thu,Sat,Sun *-*-01,15 00:00:00"]
    );
}

#[test]
fn full_day_of_month_without_star_is_every_day() {
    assert_eq!(on_calendar("0 0 1-31 * 1 cmd"), ["*-*-* 00:00:00"]);
}

#[test]
fn sunday_is_zero_or_seven_and_names_any_case() {
    assert_eq!(on_calendar("0 0 * * 4-7 cmd"), ["Thu..Sun *-*-* 00:00:00"]);
    assert_eq!(on_calendar("0 0 * * 0,7 cmd"), ["Sun *-*-* 00:00:00"]);
    assert_eq!(
        on_calendar("*/20 9-17/4 * * Mon-FRI cmd"),
        ["Mon..Fri *-*-* 09,13,17:00,20,40:00"]
    );
    assert_eq!(on_calendar("0 12 * DEC,jan * cmd"), ["*-01,12-* 12:00:00"]);
}

#[test]
fn nicknames() {
    assert_eq!(on_calendar("@weekly cmd"), ["Sun *-*-* 00:00:00"]);
    assert_eq!(on_calendar("@yearly cmd"), ["*-01-01 00:00:00"]);
    assert_eq!(on_calendar("@monthly cmd"), ["*-*-01 00:00:00"]);
    assert_eq!(on_calendar("@hourly cmd"), ["*-*-* *:00:00"]);
    assert_eq!(on_calendar("@midnight cmd"), ["*-*-* 00:00:00"]);
    assert!(matches!(
        parse_job("@reboot cmd", Dialect::Debian).unwrap().spec,
        Spec::Reboot
    ));
}

#[test]
fn steps_start_at_the_field_minimum() {
    assert_eq!(
        on_calendar("*/15 */6 */10 */5 * cmd"),
        ["*-01,06,11-01,11,21,31 00,06,12,18:00,15,30,45:00"]
    );
    assert_eq!(
        on_calendar("5-59/15 * * * * cmd"),
        ["*-*-* *:05,20,35,50:00"]
    );
}

#[test]
fn rejected_like_vixie() {
    assert_eq!(error("5/15 * * * * cmd").0, 1);
    assert!(error("5/15 * * * * cmd").1.contains("no range"));
    assert_eq!(error("0 25 * * * cmd").0, 3);
    assert_eq!(error("0 0 * foo * cmd").0, 7);
    assert_eq!(error("0 0 * * 5-1 cmd").0, 9);
    assert!(error("0 0 * * *").1.contains("ends before its command"));
    assert!(error("@Daily cmd").1.contains("unknown schedule word"));
    assert!(
        error("0 0 * * monday cmd")
            .1
            .contains("first three letters")
    );
    assert!(error("-0 0 * * * cmd").1.contains("cronie"));
    assert!(error("0~30 0 * * * cmd").1.contains("cronie"));
}

#[test]
fn cronie_random_ranges_are_stable() {
    let a = parse_job("0~30 2 * * * cmd", Dialect::Cronie).unwrap();
    let b = parse_job("0~30 2 * * * cmd", Dialect::Cronie).unwrap();
    assert_eq!(a, b);
    let Spec::Calendar(f) = a.spec else { panic!() };
    assert!(f.randomized);
    assert_eq!(f.minutes.count_ones(), 1);
    assert!(f.minutes.trailing_zeros() <= 30);
}
