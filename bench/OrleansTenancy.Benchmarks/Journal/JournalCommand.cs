using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;

namespace OrleansTenancy.Benchmarks.Journal;

/// <summary>
/// The single silo's settlement journal on its own: saves issued at a fixed rate from thread-pool callers, as the
/// gateway's answers do, each removed once saved (as once the tenant grain has stored it). Reports the time from the
/// call of each save to its completion, so a write that stalls (a segment being made, a slow flush) shows in the tail
/// of the saves queued behind it. A first round of the same length warms the runtime and is not reported.
/// </summary>
internal static class JournalCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var rate = args.GetInt("rate", 3000);
        var duration = TimeSpan.FromSeconds(args.GetInt("duration", 10));
        var rounds = args.GetInt("rounds", 3);
        var parent = args.Get("folder", Path.GetTempPath());

        Console.WriteLine(Invariant($"# settlement journal, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {rate:N0} saves/s for {duration.TotalSeconds:N0} s, {rounds} rounds, folder under {parent}"));
        Console.WriteLine("| round | saves | p50 ms | p99 ms | p99.9 ms | max ms | saves/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        var p999s = new List<double>();
        for (var round = 0; round <= rounds; round++)
        {
            var folder = Path.Combine(parent, "journal-bench-" + Guid.NewGuid().ToString("N"));
            try
            {
                var latencies = await RoundAsync(folder, rate, duration);
                if (round == 0)
                {
                    continue;
                }

                latencies.Sort();
                p999s.Add(Percentile(latencies, 0.999));
                Console.WriteLine(Invariant(
                    $"| {round} | {latencies.Count:N0} | {Percentile(latencies, 0.5):F3} | {Percentile(latencies, 0.99):F3} | {Percentile(latencies, 0.999):F3} | {latencies[^1]:F2} | {latencies.Count / duration.TotalSeconds:N0} |"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        p999s.Sort();
        Console.WriteLine(Invariant($"median p99.9 over {rounds} rounds: {Percentile(p999s, 0.5):F3} ms (range {p999s[0]:F3} – {p999s[^1]:F3})"));
        return 0;
    }

    private static async Task<List<double>> RoundAsync(string folder, int rate, TimeSpan duration)
    {
        using var journal = new SettlementJournal(folder, NullLoggerFactory.Instance);
        await journal.LoadAsync();
        var latencies = new List<double>(checked((int)(rate * duration.TotalSeconds)));
        var saves = new List<Task>();
        var clock = Stopwatch.StartNew();
        long issued = 0;
        while (clock.Elapsed < duration)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * rate);
            for (; issued < due; issued++)
            {
                var settlement = Settlement("r" + issued.ToString(CultureInfo.InvariantCulture));
                saves.Add(Task.Run(async () =>
                {
                    var start = clock.Elapsed;
                    await journal.SaveAsync(settlement);
                    var latency = (clock.Elapsed - start).TotalMilliseconds;
                    lock (latencies)
                    {
                        latencies.Add(latency);
                    }

                    await journal.RemoveAsync(settlement);
                }));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(saves);
        return latencies;
    }

    // A settlement of the size the gateway keeps for a chat call (about 350 bytes a line).
    private static PendingSettlement Settlement(string id) => new(
        "acme",
        new SettleRequest { RequestId = id, Workspace = "main", ActualCostUsd = 0.000123456789m, PromptTokens = 12, CompletionTokens = 34 },
        new ExecutionDetails { Status = "ok", Model = "openai/gpt-4o-mini", Provider = "OpenAI", Agent = "bot", Task = "chat", LatencyMs = 850 });

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
