//! All apps of one PM2 file under one `.target`, as `pm2 start FILE` / `pm2 resurrect` start
//! them together: the target wants every app PM2 starts (not `autostart: false` ones, nor a
//! dump's stopped ones), and every app's unit is `PartOf=` it, so `systemctl stop|restart` of the
//! target stops or restarts them all.
//!
//! Its name, so a user finds it:
//! - a dump: `pm2-USER.target` (USER owns the dump), mirroring `pm2 startup`'s
//!   `pm2-USER.service` that resurrected it;
//! - an ecosystem file: `pm2-DIR.target`, DIR the name of the directory holding the file (the
//!   project: `/srv/shop/ecosystem.config.js` → `pm2-shop.target`); a file in `/`:
//!   `pm2-FILE.target` after the file name's first part.

use crate::ir::{Activation, Body, Format, Item, Origin, RefKind, Target, UnitRef};

/// The target's stem for a file at `host_path`; `owner` is a dump's owner (`None` for an
/// ecosystem file).
#[must_use]
pub fn stem(host_path: &str, dump_owner: Option<&str>) -> String {
    if let Some(user) = dump_owner {
        return format!("pm2-{user}");
    }
    let dir = super::super::paths::dirname(host_path);
    let name = dir.rsplit('/').next().unwrap_or("");
    if name.is_empty() {
        let file = host_path.rsplit('/').next().unwrap_or(host_path);
        format!("pm2-{}", file.split('.').next().unwrap_or(file))
    } else {
        format!("pm2-{name}")
    }
}

/// The unit of an app item a target refers to: its `.target` for several instances, else its
/// `.service`.
#[must_use]
pub fn member_ref(item: &Item) -> Option<UnitRef> {
    let Body::Unit(def) = &item.body else {
        return None;
    };
    let kind = match &def.service.instances {
        crate::ir::Instances::Set(set) if set.target => RefKind::Target,
        _ => RefKind::Service,
    };
    Some(UnitRef {
        stem: item.unit_stem.clone(),
        kind,
    })
}

/// Makes every app item `PartOf=` the target `stem` and returns the target's item, or `None`
/// when no app became a unit. `started` says, per app item, whether PM2 starts it.
pub fn target(stem: &str, file: &str, apps: Vec<(&mut Item, bool)>) -> Option<Item> {
    let mut members = Vec::new();
    let mut units = 0;
    for (item, started) in apps {
        let Some(r) = member_ref(item) else { continue };
        units += 1;
        if let Body::Unit(def) = &mut item.body {
            def.service.ordering.part_of.push(UnitRef {
                stem: stem.to_string(),
                kind: RefKind::Target,
            });
        }
        if started {
            members.push(r);
        }
    }
    if units == 0 {
        return None;
    }
    let names: Vec<&str> = members.iter().map(|m| m.stem.as_str()).collect();
    let any = !members.is_empty();
    Some(Item {
        origin: Origin {
            format: Some(Format::Pm2),
            file: file.to_string(),
            line: None,
        },
        name: stem.to_string(),
        unit_stem: stem.to_string(),
        identity: format!("pm2-group:{stem}:{}", names.join(",")),
        body: Body::Target(Box::new(Target {
            description: format!("PM2 apps of {file}"),
            members,
            activation: Activation::Boot {
                wanted_by: if any {
                    vec!["multi-user.target".to_string()]
                } else {
                    Vec::new()
                },
                aliases: Vec::new(),
                enabled: Some(any),
            },
        })),
        findings: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_user_finds() {
        assert_eq!(
            stem("/home/deploy/.pm2/dump.pm2", Some("deploy")),
            "pm2-deploy"
        );
        assert_eq!(stem("/srv/shop/ecosystem.config.js", None), "pm2-shop");
        assert_eq!(stem("/ecosystem.config.js", None), "pm2-ecosystem");
    }
}
