//! Where a launch puts its VMs, as minimega's scheduler decides with its
//! default policy (CPU commit): each VM goes to the least-committed host,
//! kept at the root of a binary heap that is sifted down after every VM.
//! Ties go the way the heap's sift-down sends them, so equal hosts take
//! turns.

/// One host's load as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Load {
    pub(crate) host: String,
    /// Virtual CPUs of the VMs it runs, in every namespace.
    pub(crate) cpu_commit: u64,
}

/// The host for each of `count` VMs of `vcpus` CPUs each, in launch order.
/// `hosts` is the namespace's hosts, in the order minimega heard from them;
/// all hosts are taken to have as many CPUs.
pub(crate) fn place(mut hosts: Vec<Load>, count: usize, vcpus: u64) -> Vec<String> {
    if hosts.len() <= 1 {
        let host = hosts.pop().map(|h| h.host).unwrap_or_default();
        return vec![host; count];
    }
    for root in (0..=(hosts.len() - 1) / 2).rev() {
        sift_down(&mut hosts, root);
    }
    (0..count)
        .map(|_| {
            hosts[0].cpu_commit += vcpus;
            let host = hosts[0].host.clone();
            sift_down(&mut hosts, 0);
            host
        })
        .collect()
}

fn less(a: &Load, b: &Load) -> bool {
    a.cpu_commit < b.cpu_commit
}

/// Moves `root` down while a child is not greater: an equal child takes the
/// root's place, as in minimega's heap.
fn sift_down(hosts: &mut [Load], mut root: usize) {
    loop {
        let mut child = 2 * root + 1;
        if child >= hosts.len() {
            return;
        }
        if child + 1 < hosts.len() && !less(&hosts[child], &hosts[child + 1]) {
            child += 1;
        }
        if less(&hosts[root], &hosts[child]) {
            return;
        }
        hosts.swap(root, child);
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idle(hosts: &[&str]) -> Vec<Load> {
        hosts
            .iter()
            .map(|h| Load {
                host: h.to_string(),
                cpu_commit: 0,
            })
            .collect()
    }

    #[test]
    fn equal_hosts_take_turns() {
        // Building the heap already moves an equal root down.
        assert_eq!(
            place(idle(&["node2", "node3"]), 4, 1),
            ["node3", "node2", "node3", "node2"]
        );
        assert_eq!(place(idle(&["a", "b", "c"]), 4, 1), ["c", "a", "b", "c"]);
        assert_eq!(place(idle(&["solo"]), 2, 1), ["solo", "solo"]);
    }

    #[test]
    fn the_least_committed_host_goes_first() {
        let mut hosts = idle(&["busy", "free"]);
        hosts[0].cpu_commit = 4;
        assert_eq!(place(hosts, 3, 2), ["free", "free", "busy"]);
    }
}
