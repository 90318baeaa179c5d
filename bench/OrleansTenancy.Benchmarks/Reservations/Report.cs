using System.Globalization;
using System.Text.Json;

namespace OrleansTenancy.Benchmarks.Reservations;

/// <summary>Prints a phase table and one machine-readable <c>RESULT {json}</c> line per run.</summary>
public static class Report
{
    public static void Print(string store, int tenants, int concurrency, TimeSpan duration, IReadOnlyList<(string Name, LoadResult Result)> results)
    {
        var baseline = results[^1].Result.GrantedPerSecond;
        Console.WriteLine();
        Console.WriteLine($"| phase ({store}, {tenants} tenant(s), concurrency {concurrency}, {duration.TotalSeconds:0}s) | granted/s | ops | errors | p50 ms | p99 ms | vs naive | state writes/s | ops per state write | mean write ms | CPU ms per op | granted per second, second by second |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (name, r) in results)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {name} | {r.GrantedPerSecond:0} | {r.Operations} | {r.Errors} | {r.P50Ms:0.00} | {r.P99Ms:0.00} | {r.GrantedPerSecond / baseline:0.00}x | {r.StateWrites / r.Seconds:0} | {(r.StateWrites == 0 ? 0 : r.Operations / (double)r.StateWrites):0.0} | {r.MeanWriteMs:0.00} | {r.CpuMsPerOperation:0.000} | {string.Join(' ', r.PerSecond)} |"));
        }

        var line = new
        {
            store,
            tenants,
            concurrency,
            durationSeconds = duration.TotalSeconds,
            phases = results.Select(p => new
            {
                name = p.Name,
                grantedPerSecond = Math.Round(p.Result.GrantedPerSecond, 1),
                operations = p.Result.Operations,
                errors = p.Result.Errors,
                p50Ms = Math.Round(p.Result.P50Ms, 3),
                p99Ms = Math.Round(p.Result.P99Ms, 3),
                ratioToNaive = Math.Round(p.Result.GrantedPerSecond / baseline, 2),
                stateWrites = p.Result.StateWrites,
                meanWriteMs = Math.Round(p.Result.MeanWriteMs, 3),
                cpuMsPerOperation = Math.Round(p.Result.CpuMsPerOperation, 4),
                perSecond = p.Result.PerSecond,
            }),
        };
        Console.WriteLine();
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(line));
    }
}
