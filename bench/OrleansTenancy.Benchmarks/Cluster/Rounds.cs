using System.Globalization;
using OrleansTenancy.Benchmarks.Reservations;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>Results of interleaved rounds per configuration, summarised as median with the spread (min-max).</summary>
public sealed class Rounds
{
    private readonly Dictionary<string, List<LoadResult>> _results = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public void Add(string configuration, LoadResult result)
    {
        if (!_results.TryGetValue(configuration, out var list))
        {
            _results[configuration] = list = [];
            _order.Add(configuration);
        }

        list.Add(result);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  round {list.Count} {configuration,-28} {result.GrantedPerSecond,10:N0} /s   p50 {result.P50Ms,7:F3} ms   p99 {result.P99Ms,7:F3} ms   errors {result.Errors}"));
    }

    /// <summary>
    /// One line per configuration: median rate (min-max), median p50 and p99, and the median of the per-round ratios
    /// of its rate to <paramref name="baseline"/>'s rate in the same round.
    /// </summary>
    public void Print(string baseline)
    {
        Console.WriteLine();
        Console.WriteLine($"{"configuration",-28} {"calls/s median",14} {"(min-max)",22} {"p50 ms",8} {"p99 ms",8} {"x " + baseline,14}");
        foreach (var configuration in _order)
        {
            var runs = _results[configuration];
            var rates = runs.Select(r => r.GrantedPerSecond).ToArray();
            var ratios = runs.Zip(_results[baseline], (r, b) => b.GrantedPerSecond == 0 ? 0 : r.GrantedPerSecond / b.GrantedPerSecond).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{configuration,-28} {Median(rates),14:N0} {$"({rates.Min():N0}-{rates.Max():N0})",22} {Median([.. runs.Select(r => r.P50Ms)]),8:F3} {Median([.. runs.Select(r => r.P99Ms)]),8:F3} {Median(ratios),14:F3}"));
        }
    }

    /// <summary>The machine's 1, 5 and 15 minute load averages (<c>/proc/loadavg</c>), or a note when unreadable.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "(no /proc/loadavg)";

    /// <summary>The median of <paramref name="values"/> (0 for none).</summary>
    public static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
