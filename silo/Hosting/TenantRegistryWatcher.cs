using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Hosting;

/// <summary>Published after every reload of a watched tenants folder.</summary>
/// <param name="registry">The new snapshot (already current).</param>
public sealed class TenantRegistryReloadedEventArgs(TenantRegistry registry) : EventArgs
{
    /// <summary>The new snapshot.</summary>
    public TenantRegistry Registry { get; } = registry;

    /// <summary>The problems of this reload (broken tenants kept their last good version).</summary>
    public IReadOnlyList<TenantProblem> Problems => Registry.Problems;
}

/// <summary>
/// Keeps a <see cref="TenantRegistry"/> current while operators edit the tenants folder. Editors save in
/// bursts (temp file, rename, attribute change), so file events restart a debounce timer and one reload runs
/// when the folder has been quiet for <see cref="Debounce"/>. Each reload passes the current snapshot as
/// the previous one, so a broken edit never unloads a working tenant.
/// </summary>
public sealed class TenantRegistryWatcher : IDisposable
{
    /// <summary>Quiet time before a reload when none is given: 250 milliseconds.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    private readonly string _directory;
    private readonly TenantLoadLimits _limits;
    private readonly FileSystemWatcher _watcher;
    private readonly ITimer _debounceTimer;

    // Serialises reloads: a forced Reload() and a timer-driven one must not interleave, or an older load could publish last.
    private readonly Lock _reloadLock = new();
    private TenantRegistry _current;
    private bool _disposed;

    /// <summary>Loads <paramref name="tenantsDirectory"/> and starts watching it, including subfolders.</summary>
    /// <param name="tenantsDirectory">The tenants folder.</param>
    /// <param name="timeProvider">Clock for the debounce timer (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="debounce">Quiet time before reloading (default <see cref="DefaultDebounce"/>).</param>
    /// <param name="limits">Bounds on what a load reads (default <see cref="TenantLoadLimits.Default"/>).</param>
    /// <param name="owners">Who held each guild and key before this start (see <see cref="TenantRegistryLoader.Load(string, TenantRegistry?, TenantLoadLimits, TenantClaims?)"/>); later loads ask the previous snapshot.</param>
    /// <exception cref="ArgumentException">The folder does not exist (the file-system watcher needs it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="debounce"/> is negative.</exception>
    public TenantRegistryWatcher(string tenantsDirectory, TimeProvider? timeProvider = null, TimeSpan? debounce = null, TenantLoadLimits? limits = null, TenantClaims? owners = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantsDirectory);
        _directory = tenantsDirectory;
        _limits = limits ?? TenantLoadLimits.Default;
        Debounce = debounce ?? DefaultDebounce;
        ArgumentOutOfRangeException.ThrowIfLessThan(Debounce, TimeSpan.Zero);
        _current = TenantRegistryLoader.Load(tenantsDirectory, null, _limits, owners);
        _watcher = new FileSystemWatcher(tenantsDirectory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Changed += OnFileEvent;
        _watcher.Created += OnFileEvent;
        _watcher.Deleted += OnFileEvent;
        _watcher.Renamed += OnFileEvent;
        _watcher.Error += (_, _) => NotifyChanged();
        _debounceTimer = (timeProvider ?? TimeProvider.System).CreateTimer(_ => ReloadAfterQuiet(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Raised after each reload, on the thread that ran it and in snapshot order; keep handlers short.</summary>
    public event EventHandler<TenantRegistryReloadedEventArgs>? Reloaded;

    /// <summary>The quiet time the watcher waits for before reloading.</summary>
    public TimeSpan Debounce { get; }

    /// <summary>The latest snapshot.</summary>
    public TenantRegistry Current => Volatile.Read(ref _current);

    /// <summary>Reloads now (for tests and the admin endpoint), publishes and returns the new snapshot.</summary>
    public TenantRegistry Reload()
    {
        TenantRegistry next;
        lock (_reloadLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            next = TenantRegistryLoader.Load(_directory, Current, _limits);
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            Volatile.Write(ref _current, next);

            // Published under the lock so subscribers see snapshots in the order they became current.
            Reloaded?.Invoke(this, new TenantRegistryReloadedEventArgs(next));
        }

        return next;
    }

    /// <summary>Records a change and (re)starts the debounce timer.</summary>
    internal void NotifyChanged()
    {
        if (!Volatile.Read(ref _disposed))
        {
            _debounceTimer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Turns file-system notifications on or off, so tests can drive <see cref="NotifyChanged"/> alone.</summary>
    internal void EnableFileEvents(bool enabled) => _watcher.EnableRaisingEvents = enabled;

    /// <inheritdoc />
    /// <remarks>
    /// Does not wait for a reload in progress (it publishes nothing once this returns): stopping the host must never
    /// hang behind a load, whatever the folder holds.
    /// </remarks>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, true))
        {
            return;
        }

        _watcher.Dispose();
        _debounceTimer.Dispose();
    }

    private void ReloadAfterQuiet()
    {
        try
        {
            Reload();
        }
        catch (ObjectDisposedException)
        {
            // The timer fired while the watcher was being disposed; there is nobody left to publish to.
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => NotifyChanged();
}
