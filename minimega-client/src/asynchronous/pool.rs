//! A limited set of async connections to one minimega, shared by tasks:
//! minimega answers one connection's commands in order, so commands run
//! at once on different connections.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::AsyncClient;
use crate::client::Settings;
use crate::connection::StatusHandler;
use crate::error::Error;
use crate::options::Limits;

/// At most `size` connections to one minimega, opened as they are first
/// needed and reused after; [`Pool::get`] waits while all are taken.
/// Cloning a pool shares it.
///
/// A connection comes back to the pool when its [`Pooled`] guard drops,
/// unless it is closed (a fault) or a dropped future left an answer in
/// flight on it: that one is closed instead, so one task's cancelled
/// command never costs another task's deadline.
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// # async fn f() -> Result<(), minimega::runtime::Error> {
/// use minimega::runtime::{AsyncClient, Complete};
///
/// let pool = AsyncClient::builder().base("/tmp/minimega").pool(16)?;
/// let mut tasks = Vec::new();
/// for _ in 0..100 {
///     let pool = pool.clone();
///     tasks.push(tokio::spawn(async move {
///         // With the generated API: `pool.get().await?.vm().info().run().await`.
///         pool.get().await?.run_line("vm info").await
///     }));
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    limits: Limits,
    on_status: Option<Arc<Mutex<StatusHandler>>>,
    idle: Mutex<Vec<AsyncClient>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("path", &self.inner.settings.path)
            .field("size", &self.inner.size)
            .field("idle", &self.idle())
            .finish_non_exhaustive()
    }
}

impl Pool {
    pub(super) fn new(
        settings: Settings,
        limits: Limits,
        on_status: Option<StatusHandler>,
        size: usize,
    ) -> Pool {
        // A pool of none would make every `get` wait forever.
        let size = size.max(1);
        Pool {
            inner: Arc::new(Inner {
                settings,
                limits,
                on_status: on_status.map(|handler| Arc::new(Mutex::new(handler))),
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(size)),
                size,
            }),
        }
    }

    /// A connection of its own for as long as the guard lives: an idle one,
    /// or a new one while fewer than the pool's size are open; otherwise
    /// waits (in the order asked) for one to come back.
    pub async fn get(&self) -> Result<Pooled, Error> {
        let permit = Arc::clone(&self.inner.permits)
            .acquire_owned()
            .await
            .map_err(|_| Error::Closed {
                reason: "the pool was closed".to_owned(),
            })?;
        let idle = lock(&self.inner.idle).pop();
        let client = match idle {
            Some(client) => client,
            None => self.open().await?,
        };
        Ok(Pooled {
            client: Some(client),
            pool: Arc::clone(&self.inner),
            _permit: permit,
        })
    }

    /// The most connections the pool opens.
    pub fn size(&self) -> usize {
        self.inner.size
    }

    /// How many open connections wait in the pool, unused.
    pub fn idle(&self) -> usize {
        lock(&self.inner.idle).len()
    }

    async fn open(&self) -> Result<AsyncClient, Error> {
        let settings = self.inner.settings.clone();
        let mut conn = crate::connect::open_async(&settings.path, self.inner.limits).await?;
        if let Some(shared) = &self.inner.on_status {
            let shared = Arc::clone(shared);
            conn.set_status_handler(Some(Box::new(move |text: &str| {
                (lock(&shared))(text);
            })));
        }
        Ok(AsyncClient::from_parts(settings, conn))
    }
}

/// A connection taken from a [`Pool`]; it derefs to the [`AsyncClient`],
/// so the generated builders run on it (`pooled.vm().info().run().await`),
/// and goes back to the pool when dropped.
pub struct Pooled {
    /// Always `Some` until the guard drops.
    client: Option<AsyncClient>,
    pool: Arc<Inner>,
    _permit: OwnedSemaphorePermit,
}

impl fmt::Debug for Pooled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pooled").field(&self.client).finish()
    }
}

impl Deref for Pooled {
    type Target = AsyncClient;

    fn deref(&self) -> &AsyncClient {
        self.client
            .as_ref()
            .expect("a pooled client is present until dropped")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut AsyncClient {
        self.client
            .as_mut()
            .expect("a pooled client is present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        // Back before the permit is released, so the next `get` finds it.
        if let Some(client) = self.client.take() {
            if !client.is_closed() && !client.answer_in_flight() {
                lock(&self.pool.idle).push(client);
            }
        }
    }
}

/// Locks `mutex`, recovering from a panicked holder (a status handler that
/// panicked): the pool stays usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
