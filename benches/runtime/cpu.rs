//! Time measurements: wall-clock, and the CPU time of the calling thread
//! alone (user and system), which leaves out the embedded mock's threads.

use std::time::Instant;

use crate::stats::Summary;

/// The CPU time the calling thread has used, in seconds.
pub fn thread_cpu() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return f64::NAN;
    }
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

/// What the kernel says of the calling thread beside its CPU time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// User CPU seconds, as the kernel splits it: the split is sampled at
    /// the scheduler's tick (the sum is scaled to the exact total), so it
    /// means something only summed over many ticks, a whole figure's runs
    /// rather than one batch.
    pub user: f64,
    /// System CPU seconds, likewise.
    pub system: f64,
    /// Context switches where the thread slept.
    pub voluntary: f64,
    /// Context switches where it was preempted.
    pub involuntary: f64,
}

/// The calling thread's [`Usage`] so far (`getrusage(RUSAGE_THREAD)`).
pub fn thread_usage() -> Usage {
    // SAFETY: `usage` is a plain struct for the call to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid for writes; RUSAGE_THREAD names the caller.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } != 0 {
        return Usage {
            user: f64::NAN,
            system: f64::NAN,
            voluntary: f64::NAN,
            involuntary: f64::NAN,
        };
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Usage {
        user: seconds(usage.ru_utime),
        system: seconds(usage.ru_stime),
        voluntary: usage.ru_nvcsw as f64,
        involuntary: usage.ru_nivcsw as f64,
    }
}

impl std::ops::Sub for Usage {
    type Output = Usage;

    fn sub(self, earlier: Usage) -> Usage {
        Usage {
            user: self.user - earlier.user,
            system: self.system - earlier.system,
            voluntary: self.voluntary - earlier.voluntary,
            involuntary: self.involuntary - earlier.involuntary,
        }
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.user += other.user;
        self.system += other.system;
        self.voluntary += other.voluntary;
        self.involuntary += other.involuntary;
    }
}

/// What one measured run took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Took {
    /// Wall-clock seconds.
    pub wall: f64,
    /// CPU seconds of the calling thread.
    pub cpu: f64,
    /// The split of that time, and the thread's context switches.
    pub usage: Usage,
}

/// Runs `f`, timing it both ways.
pub fn time<R>(f: impl FnOnce() -> R) -> (R, Took) {
    let (cpu, usage, wall) = (thread_cpu(), thread_usage(), Instant::now());
    let result = f();
    let took = Took {
        wall: wall.elapsed().as_secs_f64(),
        cpu: thread_cpu() - cpu,
        usage: thread_usage() - usage,
    };
    (result, took)
}

impl std::ops::AddAssign for Took {
    fn add_assign(&mut self, other: Took) {
        self.wall += other.wall;
        self.cpu += other.cpu;
        self.usage += other.usage;
    }
}

/// The runs of one side of a comparison.
#[derive(Default)]
pub struct Runs {
    wall: Vec<f64>,
    cpu: Vec<f64>,
    /// The usage of every run [`Runs::record`] took, summed (the split is
    /// sampled at the tick, so it is not taken per run), and their
    /// operations.
    usage: Usage,
    operations: usize,
}

impl Runs {
    /// Records one run of `count` operations, per operation in µs.
    pub fn record(&mut self, took: Took, count: usize) {
        self.wall.push(took.wall * 1e6 / count as f64);
        self.cpu.push(took.cpu * 1e6 / count as f64);
        self.usage += took.usage;
        self.operations += count;
    }

    /// Records one run as a whole, in ms.
    pub fn record_ms(&mut self, took: Took) {
        self.wall.push(took.wall * 1e3);
        self.cpu.push(took.cpu * 1e3);
    }

    pub fn wall(&self) -> Summary {
        summary(&self.wall)
    }

    pub fn cpu(&self) -> Summary {
        summary(&self.cpu)
    }

    /// User and system µs, and context switches, per operation over every
    /// run [`Runs::record`] took.
    pub fn usage_per_operation(&self) -> Usage {
        let per = |total: f64| total / self.operations as f64;
        Usage {
            user: per(self.usage.user) * 1e6,
            system: per(self.usage.system) * 1e6,
            voluntary: per(self.usage.voluntary),
            involuntary: per(self.usage.involuntary),
        }
    }
}

/// The summary of `runs`, or NaNs when there is none.
pub fn summary(runs: &[f64]) -> Summary {
    Summary::of(runs).unwrap_or(Summary {
        median: f64::NAN,
        min: f64::NAN,
        max: f64::NAN,
        runs: 0,
    })
}

/// Binds the calling thread (and the threads it starts from now on) to
/// `cpu`; whether that worked.
pub fn pin_to(cpu: usize) -> bool {
    // SAFETY: `set` is a plain bit set that the calls below fill and
    // `sched_setaffinity` only reads; 0 names the calling thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}
