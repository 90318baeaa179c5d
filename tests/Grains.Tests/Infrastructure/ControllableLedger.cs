using System.Collections.Concurrent;
using System.Threading.Channels;
using OrleansTenancy.Ledger;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// A real usage ledger with gates for one tenant at a time: its row writes can be held before they reach the ledger, and
/// its totals queries held after they were computed (so the caller gets figures that went stale while it waited).
/// </summary>
public sealed class ControllableLedger(IUsageLedger inner) : IUsageLedger, IDisposable
{
    private readonly ConcurrentDictionary<string, CallGate> _writes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CallGate> _totals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CallGate> _lookups = new(StringComparer.Ordinal);

    /// <summary>Holds the row writes of <paramref name="tenant"/> from now on; dispose the gate to let every call through.</summary>
    public CallGate HoldWrites(string tenant) => Hold(_writes, tenant);

    /// <summary>Holds the totals queries of <paramref name="tenant"/> (after computing them) from now on.</summary>
    public CallGate HoldTotals(string tenant) => Hold(_totals, tenant);

    /// <summary>Holds the lookups of <paramref name="tenant"/>'s request ids (<see cref="IsSettledAsync"/>) from now on.</summary>
    public CallGate HoldLookups(string tenant) => Hold(_lookups, tenant);

    public async Task<LedgerInsertResult> RecordAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        await PassAsync(_writes, record.Tenant);
        return await inner.RecordAsync(record, cancellationToken);
    }

    public async Task<IReadOnlyList<LedgerInsertResult>> RecordBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count > 0)
        {
            await PassAsync(_writes, records[0].Tenant);
        }

        return await inner.RecordBatchAsync(records, cancellationToken);
    }

    public async Task<UsageTotals> GetTotalsAsync(string tenant, string? workspace, DateTimeOffset fromUtc, DateTimeOffset toUtc, CancellationToken cancellationToken = default)
    {
        var totals = await inner.GetTotalsAsync(tenant, workspace, fromUtc, toUtc, cancellationToken);
        await PassAsync(_totals, tenant);
        return totals;
    }

    public Task<UsageReport> GetUsageAsync(string tenant, UsagePeriod period, TimeZoneInfo timeZone, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.GetUsageAsync(tenant, period, timeZone, now, cancellationToken);

    public Task<ExecutionPage> ListExecutionsAsync(string tenant, int pageSize, string? cursor, string? workspace = null, CancellationToken cancellationToken = default) =>
        inner.ListExecutionsAsync(tenant, pageSize, cursor, workspace, cancellationToken);

    public async Task<bool> IsSettledAsync(string tenant, string requestId, CancellationToken cancellationToken = default)
    {
        await PassAsync(_lookups, tenant);
        return await inner.IsSettledAsync(tenant, requestId, cancellationToken);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private static CallGate Hold(ConcurrentDictionary<string, CallGate> gates, string tenant)
    {
        var gate = new CallGate(() => gates.TryRemove(tenant, out _));
        gates[tenant] = gate;
        return gate;
    }

    private static Task PassAsync(ConcurrentDictionary<string, CallGate> gates, string tenant) =>
        gates.TryGetValue(tenant, out var gate) ? gate.PassAsync() : Task.CompletedTask;
}

/// <summary>Calls wait here one by one until the test lets each through; disposing it lets every call through.</summary>
public sealed class CallGate(Action onDispose) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly Channel<TaskCompletionSource> _arrivals = Channel.CreateUnbounded<TaskCompletionSource>();
    private readonly ConcurrentQueue<TaskCompletionSource> _waiting = new();
    private volatile bool _open;

    /// <summary>The next call that arrived at the gate; complete it to let that call through.</summary>
    public async Task<TaskCompletionSource> NextAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(Patience);

    public void Dispose()
    {
        _open = true;
        onDispose();
        while (_waiting.TryDequeue(out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    internal Task PassAsync()
    {
        if (_open)
        {
            return Task.CompletedTask;
        }

        var arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue(arrival);
        _arrivals.Writer.TryWrite(arrival);
        return arrival.Task;
    }
}
