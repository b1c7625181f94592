//! Worker threads for a run (`--jobs N`): a map over a run's inputs or items whose results come
//! back in input order, whatever the number of workers, so the output never depends on it.

use std::sync::Mutex;

/// How many items a worker takes at a time: small enough to balance uneven inputs, large
/// enough that taking them costs nothing next to converting them.
const BATCH: usize = 8;

/// The number of workers `--jobs` defaults to: the processors this process may run on.
#[must_use]
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `f` applied to every element of `items`, on up to `jobs` threads (one when `jobs` is 0 or
/// 1, or there is one batch), results in the order of `items`.
pub fn map_in_order<T, R, F>(items: Vec<T>, jobs: usize, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let n = items.len();
    let workers = jobs.clamp(1, n.div_ceil(BATCH).max(1));
    if workers == 1 {
        return items.into_iter().map(f).collect();
    }
    let mut batches: Vec<(usize, Vec<T>)> = Vec::with_capacity(n.div_ceil(BATCH));
    let mut rest = items.into_iter().peekable();
    let mut start = 0;
    while rest.peek().is_some() {
        let batch: Vec<T> = rest.by_ref().take(BATCH).collect();
        let len = batch.len();
        batches.push((start, batch));
        start += len;
    }
    // Taken from the front, so that the inputs are worked on roughly in order.
    batches.reverse();
    let queue = Mutex::new(batches);
    let done: Mutex<Vec<(usize, Vec<R>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let mut mine: Vec<(usize, Vec<R>)> = Vec::new();
                loop {
                    let next = queue.lock().map_or(None, |mut q| q.pop());
                    let Some((start, batch)) = next else { break };
                    mine.push((start, batch.into_iter().map(&f).collect()));
                }
                if let Ok(mut d) = done.lock() {
                    d.append(&mut mine);
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(start, _)| *start);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

/// [`map_in_order`], working first on the elements `first` selects (in their order), then on
/// the others: the results are still in the order of `items`. A run puts ahead the inputs that
/// hold many items at once, so that they do while little else of the run is held yet.
pub fn map_in_order_first<T, R, P, F>(items: Vec<T>, jobs: usize, first: P, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    P: Fn(&T) -> bool,
    F: Fn(T) -> R + Sync,
{
    let (mut ahead, behind): (Vec<_>, Vec<_>) =
        items.into_iter().enumerate().partition(|(_, t)| first(t));
    if ahead.is_empty() {
        return map_in_order(behind.into_iter().map(|(_, t)| t).collect(), jobs, f);
    }
    ahead.extend(behind);
    let mut done = map_in_order(ahead, jobs, |(i, t)| (i, f(t)));
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::{map_in_order, map_in_order_first};

    #[test]
    fn results_keep_the_order_of_the_items_whatever_the_number_of_workers() {
        let items: Vec<u64> = (0..1000).collect();
        let one = map_in_order(items.clone(), 1, |x| x * x);
        for jobs in [0, 2, 3, 4, 64] {
            assert_eq!(
                map_in_order(items.clone(), jobs, |x| x * x),
                one,
                "{jobs} jobs"
            );
        }
        assert_eq!(one[999], 999 * 999);
        assert!(map_in_order(Vec::<u8>::new(), 4, |x| x).is_empty());
    }

    #[test]
    fn work_is_shared_between_threads() {
        let ids = map_in_order((0..64).collect::<Vec<u32>>(), 4, |_| {
            std::thread::sleep(std::time::Duration::from_millis(2));
            std::thread::current().id()
        });
        let distinct: std::collections::BTreeSet<String> =
            ids.iter().map(|i| format!("{i:?}")).collect();
        assert!(distinct.len() > 1, "all on one thread");
    }

    #[test]
    fn the_elements_put_first_are_worked_on_first_and_come_back_in_place() {
        let items: Vec<u64> = (0..100).collect();
        let order = std::sync::Mutex::new(Vec::new());
        let out = map_in_order_first(
            items.clone(),
            1,
            |x| x % 10 == 7,
            |x| {
                order.lock().unwrap().push(x);
                x * 3
            },
        );
        assert_eq!(out, items.iter().map(|x| x * 3).collect::<Vec<_>>());
        let order = order.into_inner().unwrap();
        assert_eq!(&order[..10], &[7, 17, 27, 37, 47, 57, 67, 77, 87, 97]);
        assert_eq!(&order[10..13], &[0, 1, 2]);
        for jobs in [0, 2, 3] {
            assert_eq!(
                map_in_order_first(items.clone(), jobs, |x| x % 10 == 7, |x| x * 3),
                out,
                "{jobs} jobs"
            );
        }
        assert_eq!(
            map_in_order_first(items.clone(), 2, |_| false, |x| x * 3),
            out
        );
        assert_eq!(
            map_in_order_first(items.clone(), 2, |_| true, |x| x * 3),
            out
        );
    }
}
