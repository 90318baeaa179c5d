using System.Diagnostics;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>What one measured phase produced.</summary>
/// <param name="Operations">Operations completed inside the measured window.</param>
/// <param name="Granted">Of those, the ones that were granted (reservation durable, or the UPDATE matched a row).</param>
/// <param name="Seconds">Length of the measured window.</param>
/// <param name="PerSecond">Granted operations in each whole second of the window (shows drift over the run).</param>
/// <param name="P50Ms">Median operation latency in milliseconds.</param>
/// <param name="P99Ms">99th percentile operation latency in milliseconds.</param>
/// <param name="Errors">Operations that threw (not counted as granted).</param>
/// <param name="StateWrites">Grain state writes in the window (0 for the naive baseline).</param>
/// <param name="StateWriteSeconds">Their summed duration.</param>
/// <param name="CpuSeconds">CPU time this process used in the window (silo and load generator together).</param>
public sealed record LoadResult(long Operations, long Granted, double Seconds, IReadOnlyList<long> PerSecond, double P50Ms, double P99Ms, long Errors, long StateWrites, double StateWriteSeconds, double CpuSeconds)
{
    /// <summary>Every measured operation's latency in <see cref="Stopwatch"/> ticks, sorted (to merge the runs of several processes).</summary>
    public IReadOnlyList<long> SortedLatencyTicks { get; init; } = [];

    public double CpuMsPerOperation => Operations == 0 ? 0 : CpuSeconds * 1000 / Operations;

    public double GrantedPerSecond => Granted / Seconds;

    public double MeanWriteMs => StateWrites == 0 ? 0 : StateWriteSeconds * 1000 / StateWrites;
}

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> workers each run one operation after another. The first
/// <c>warmUp</c> is run but not counted; then operations completing within <c>duration</c> are counted.
/// </summary>
public static class LoadRunner
{
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan warmUp, TimeSpan duration, Func<int, long, Task<bool>> operation, StorageWriteMonitor? writes = null)
    {
        var clock = Stopwatch.StartNew();
        var measureFrom = warmUp;
        var measureTo = warmUp + duration;
        var buckets = new long[(int)Math.Ceiling(duration.TotalSeconds)];
        var latencies = new List<long>[concurrency];
        long operations = 0, granted = 0, errors = 0;

        async Task Worker(int worker)
        {
            var mine = latencies[worker] = new List<long>(4096);
            for (long iteration = 0; clock.Elapsed < measureTo; iteration++)
            {
                var started = clock.ElapsedTicks;
                bool ok;
                try
                {
                    ok = await operation(worker, iteration);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (Interlocked.Increment(ref errors) <= 3)
                    {
                        Console.Error.WriteLine($"worker {worker}: {ex.GetType().Name}: {ex.Message}");
                    }

                    ok = false;
                }

                var ended = clock.Elapsed;
                if (ended < measureFrom || ended >= measureTo)
                {
                    continue;
                }

                Interlocked.Increment(ref operations);
                mine.Add(clock.ElapsedTicks - started);
                if (ok)
                {
                    Interlocked.Increment(ref granted);
                    Interlocked.Increment(ref buckets[(int)(ended - measureFrom).TotalSeconds]);
                }
            }
        }

        async Task<((long Writes, double Seconds) From, (long Writes, double Seconds) To, double Cpu)> SampleWrites()
        {
            await Task.Delay(measureFrom);
            var from = writes?.Read() ?? default;
            var cpuFrom = Process.GetCurrentProcess().TotalProcessorTime;
            await Task.Delay(measureTo - clock.Elapsed);
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuFrom).TotalSeconds;
            return (from, writes?.Read() ?? default, cpu);
        }

        var sampling = SampleWrites();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(i => Task.Run(() => Worker(i))));
        var (writesFrom, writesTo, cpuSeconds) = await sampling;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(operations, granted, duration.TotalSeconds, buckets, PercentileMs(all, 0.50), PercentileMs(all, 0.99), errors,
            writesTo.Writes - writesFrom.Writes, writesTo.Seconds - writesFrom.Seconds, cpuSeconds)
        {
            SortedLatencyTicks = all,
        };
    }

    /// <summary>A percentile, in milliseconds, of latencies in <see cref="Stopwatch"/> ticks sorted ascending.</summary>
    public static double PercentileMs(IReadOnlyList<long> sortedTicks, double fraction) =>
        sortedTicks.Count == 0 ? 0 : sortedTicks[(int)Math.Min(sortedTicks.Count - 1, fraction * sortedTicks.Count)] * 1000.0 / Stopwatch.Frequency;

}
