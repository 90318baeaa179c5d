using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.Benchmarks.Gateway;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;
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

        Console.WriteLine(GatewayCommand.Invariant($"# settlement journal, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {rate:N0} saves/s for {duration.TotalSeconds:N0} s, {rounds} rounds, folder under {parent}"));
        Console.WriteLine("| round | saves | p50 ms | p99 ms | p99.9 ms | max ms | saves/s |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
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
                Console.WriteLine(GatewayCommand.Invariant(
                    $"| {round} | {latencies.Count:N0} | {LoadRunner.PercentileMs(latencies, 0.5):F3} | {LoadRunner.PercentileMs(latencies, 0.99):F3} | {LoadRunner.PercentileMs(latencies, 0.999):F3} | {LoadRunner.PercentileMs(latencies, 1):F2} | {latencies.Count / duration.TotalSeconds:N0} |"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return 0;
    }

    /// <summary>Save latencies in <see cref="Stopwatch"/> ticks, in completion order.</summary>
    private static async Task<List<long>> RoundAsync(string folder, int rate, TimeSpan duration)
    {
        using var journal = new SettlementJournal(folder, NullLoggerFactory.Instance);
        await journal.LoadAsync();
        var latencies = new List<long>(checked((int)(rate * duration.TotalSeconds)));
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
                    var start = clock.ElapsedTicks;
                    await journal.SaveAsync(settlement);
                    var latency = clock.ElapsedTicks - start;
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
}
