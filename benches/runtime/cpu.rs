//! Time measurements: wall-clock, and the CPU time of the calling thread
//! alone (user and system), which leaves out the embedded mock's threads.

use std::time::Instant;

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

/// What one measured run took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Took {
    /// Wall-clock seconds.
    pub wall: f64,
    /// CPU seconds of the calling thread.
    pub cpu: f64,
}

/// Runs `f`, timing it both ways.
pub fn time<R>(f: impl FnOnce() -> R) -> (R, Took) {
    let (cpu, wall) = (thread_cpu(), Instant::now());
    let result = f();
    let took = Took {
        wall: wall.elapsed().as_secs_f64(),
        cpu: thread_cpu() - cpu,
    };
    (result, took)
}

impl std::ops::AddAssign for Took {
    fn add_assign(&mut self, other: Took) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
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
