using Microsoft.Extensions.Logging;
using OrleansTenancy.Runtime.Placement;

namespace OrleansTenancy.Runtime.Membership;

/// <summary>One reading of the membership table, with the placement ring of its Active silos.</summary>
public sealed class MembershipView
{
    /// <summary>The view before any table read: no silos.</summary>
    public static readonly MembershipView Empty = new(new MembershipTableSnapshot(-1, []));

    /// <summary>Builds the view of a snapshot.</summary>
    public MembershipView(MembershipTableSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Version = snapshot.Version;
        Entries = snapshot.Entries;
        Ring = new ConsistentHashRing(snapshot.Entries.Where(e => e.Status == SiloStatus.Active).Select(e => e.Silo));
    }

    /// <summary>The table version this view was read at.</summary>
    public long Version { get; }

    /// <summary>All rows.</summary>
    public IReadOnlyList<MembershipEntry> Entries { get; }

    /// <summary>The ring of Active silos.</summary>
    public ConsistentHashRing Ring { get; }
}

/// <summary>
/// Keeps a silo's or client's view of the membership table current (change notifications where the table
/// offers them, polling otherwise) and writes this silo's own status with version-conditional retries.
/// </summary>
public sealed class MembershipService : IAsyncDisposable
{
    private readonly IMembershipTable _table;
    private readonly TimeProvider _time;
    private readonly TimeSpan _refreshPeriod;
    private readonly ILogger _logger;
    private readonly object _viewLock = new();
    private MembershipView _view = MembershipView.Empty;
    private ITimer? _poll;

    /// <summary>Creates the service; call <see cref="StartAsync"/> to read the table.</summary>
    public MembershipService(IMembershipTable table, TimeProvider time, TimeSpan refreshPeriod, ILogger logger)
    {
        _table = table;
        _time = time;
        _refreshPeriod = refreshPeriod;
        _logger = logger;
    }

    /// <summary>Raised after the view moved to a newer table version.</summary>
    public event Action<MembershipView>? ViewChanged;

    /// <summary>The newest view read.</summary>
    public MembershipView View => Volatile.Read(ref _view);

    /// <summary>Reads the table and starts following changes.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_table is IMembershipChangeNotifier notifier)
        {
            notifier.Changed += OnTableChanged;
        }

        _poll = _time.CreateTimer(static s => ((MembershipService)s!).OnTableChanged(), this, _refreshPeriod, _refreshPeriod);
        await RefreshAsync(cancellationToken);
    }

    /// <summary>Re-reads the table and publishes the view if it is newer.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var snapshot = await _table.ReadAllAsync(cancellationToken);
        MembershipView view;
        lock (_viewLock)
        {
            if (snapshot.Version <= _view.Version)
            {
                return;
            }

            view = new MembershipView(snapshot);
            Volatile.Write(ref _view, view);
        }

        ViewChanged?.Invoke(view);
    }

    /// <summary>Writes <paramref name="silo"/>'s status, retrying on version conflicts, then refreshes the view.</summary>
    public async Task SetStatusAsync(SiloAddress silo, SiloStatus status, CancellationToken cancellationToken)
    {
        while (true)
        {
            var snapshot = await _table.ReadAllAsync(cancellationToken);
            var entry = new MembershipEntry(silo, status, _time.GetUtcNow());
            if (await _table.TryWriteAsync(entry, snapshot.Version, cancellationToken))
            {
                break;
            }
        }

        await RefreshAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_table is IMembershipChangeNotifier notifier)
        {
            notifier.Changed -= OnTableChanged;
        }

        _poll?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnTableChanged() => _ = RefreshSafelyAsync();

    private async Task RefreshSafelyAsync()
    {
        try
        {
            await RefreshAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            _logger.LogWarning(exception, "Reading the membership table failed; keeping view {Version}", View.Version);
        }
    }
}
