using System.Diagnostics;
using System.Globalization;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>
/// How long after a silo was killed the calls through the surviving silos were hurt: the failover time is the end of
/// the last call through a survivor that failed or took longer than <see cref="SlowCall"/>, measured from the kill.
/// Calls that ended after it all succeeded, each within that bound. A call that failed at the killed silo itself does
/// not count: its caller lost its silo, not the cluster.
/// </summary>
/// <param name="Failover">From the kill to the end of the last hurt call; zero when none was hurt.</param>
/// <param name="Failed">Calls through survivors, in flight at the kill or sent after it, that failed.</param>
/// <param name="Slow">Such calls that succeeded but took longer than <see cref="SlowCall"/>.</param>
/// <param name="Calls">All calls through survivors that ended after the kill.</param>
/// <param name="LongestCall">The longest of them.</param>
/// <param name="Errors">The first few distinct failures, for the record.</param>
public sealed record FailoverReport(TimeSpan Failover, int Failed, int Slow, int Calls, TimeSpan LongestCall, IReadOnlyList<string> Errors)
{
    /// <summary>A call longer than this hurt its caller as a failure would (calls take milliseconds when all is well).</summary>
    public static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(1);

    /// <summary>Measures <paramref name="records"/> against a kill at <paramref name="killedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static FailoverReport Measure(IEnumerable<CallRecord> records, long killedAt, IReadOnlySet<int> survivors)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(survivors);
        var after = records.Where(r => survivors.Contains(r.Silo) && r.Ended > killedAt).ToList();
        var failed = after.Where(r => !r.Answered).ToList();
        var slow = after.Where(r => r.Answered && r.Latency > SlowCall).ToList();
        var lastHurt = failed.Concat(slow).Select(r => r.Ended).DefaultIfEmpty(killedAt).Max();
        return new FailoverReport(
            Stopwatch.GetElapsedTime(killedAt, lastHurt),
            failed.Count,
            slow.Count,
            after.Count,
            after.Select(r => r.Latency).DefaultIfEmpty(TimeSpan.Zero).Max(),
            [.. failed.Select(r => r.Error ?? $"HTTP {r.Status}").Distinct().Take(3)]);
    }

    /// <summary>
    /// Whether the survivors have recovered: for <paramref name="quiet"/> no call through them was hurt, at least
    /// <paramref name="calls"/> of theirs succeeded in that time, and none of their calls in flight is slow.
    /// </summary>
    public static bool Recovered(HttpLoad load, long killedAt, IReadOnlySet<int> survivors, TimeSpan quiet, int calls)
    {
        ArgumentNullException.ThrowIfNull(load);
        var now = Stopwatch.GetTimestamp();
        if (load.InFlight.Any(c => survivors.Contains(c.Silo) && Stopwatch.GetElapsedTime(c.Since, now) > SlowCall))
        {
            return false;
        }

        var records = load.Records;
        var report = Measure(records, killedAt, survivors);
        var lastHurt = killedAt + (long)(report.Failover.TotalSeconds * Stopwatch.Frequency);
        return Stopwatch.GetElapsedTime(lastHurt, now) >= quiet
            && records.Count(r => survivors.Contains(r.Silo) && r.Ended > lastHurt && r.Answered) >= calls;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"calls succeeded again {Failover.TotalSeconds:0.00} s after it (calls through the survivors since: {Calls}, failed {Failed}, slower than {SlowCall.TotalSeconds:0} s {Slow}, longest {LongestCall.TotalSeconds:0.00} s)")
        + string.Concat(Errors.Select(e => Environment.NewLine + "    failed: " + e));
}
