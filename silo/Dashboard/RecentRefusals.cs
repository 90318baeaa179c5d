using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using OrleansTenancy.Grains.Telemetry;

namespace OrleansTenancy.Silo.Dashboard;

/// <summary>
/// Budget refusals this silo has made since it started, counted per tenant, workspace and refusing limit, so that the
/// dashboard can say why a tenant's calls were refused.
/// </summary>
/// <remarks>
/// It listens to the router's own <c>llm_budget_rejections_total</c> measurements (the <c>reason</c> tag names the limit
/// field, e.g. <c>daily_cap_usd</c>), taking only the instruments of this host's meter factory, so other hosts in the
/// same process never leak in. It holds one entry per (tenant, workspace, limit): bounded by the configuration, not by
/// traffic. Counts live in memory and start at zero with the silo.
/// </remarks>
public sealed class RecentRefusals : IDisposable
{
    /// <summary>The instrument listened to.</summary>
    public const string InstrumentName = "llm_budget_rejections_total";

    private readonly ConcurrentDictionary<(string Tenant, string Workspace, string Reason), Entry> _entries = new();
    private readonly MeterListener _listener;
    private readonly TimeProvider _time;

    /// <summary>Starts listening to the measurements of <paramref name="meters"/>.</summary>
    /// <param name="meters">The host's meter factory (the scope of the router's meter).</param>
    /// <param name="time">The clock that stamps each refusal.</param>
    public RecentRefusals(IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == InstrumentName && instrument.Meter.Name == LlmMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
        _listener.Start();
    }

    /// <summary>The refusals of <paramref name="tenant"/>, most recent first.</summary>
    /// <param name="tenant">The tenant slug.</param>
    public IReadOnlyList<RefusalCount> Of(string tenant) =>
        [.. _entries
            .Where(pair => pair.Key.Tenant == tenant)
            .Select(pair => pair.Value.Snapshot(pair.Key.Workspace, pair.Key.Reason))
            .OrderByDescending(refusal => refusal.LastAt)];

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? tenant = null, workspace = null, reason = null;
        foreach (var (key, tag) in tags)
        {
            switch (key)
            {
                case "tenant": tenant = tag as string; break;
                case "workspace": workspace = tag as string; break;
                case "reason": reason = tag as string; break;
            }
        }

        if (tenant is null || reason is null)
        {
            return;
        }

        var entry = _entries.GetOrAdd((tenant, workspace ?? string.Empty, reason), static _ => new Entry());
        entry.Add(value, _time.GetUtcNow());
    }

    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private long _count;
        private DateTimeOffset _lastAt;

        public void Add(long count, DateTimeOffset at)
        {
            lock (_lock)
            {
                _count += count;
                _lastAt = at > _lastAt ? at : _lastAt;
            }
        }

        public RefusalCount Snapshot(string workspace, string reason)
        {
            lock (_lock)
            {
                return new RefusalCount(workspace, reason, _count, _lastAt);
            }
        }
    }
}

/// <summary>Budget refusals of one workspace by one limit on this silo.</summary>
/// <param name="Workspace">The workspace whose calls were refused.</param>
/// <param name="Reason">The refusing limit, as its field is named in <c>budgets.yaml</c> (e.g. <c>daily_cap_usd</c>).</param>
/// <param name="Count">How many calls it refused since the silo started.</param>
/// <param name="LastAt">When it last refused one.</param>
public sealed record RefusalCount(string Workspace, string Reason, long Count, DateTimeOffset LastAt);
