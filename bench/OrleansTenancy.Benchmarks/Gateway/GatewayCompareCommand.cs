using System.Globalization;
using System.Text;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>
/// <c>gateway-ab</c>: compares two silos on the gateway's added latency: two builds (<c>--silo-a</c>, <c>--silo-b</c>,
/// e.g. this build against an earlier one) or two configurations of one build (environment variables of the silo
/// process, e.g. a runtime setting or a diagnostic switch). Both silos run at once against the same simulator, and
/// short phases rotate through direct, A and B for several rounds, so that the machine's drift from one minute to the
/// next (about ±0.15 ms p50 here) falls on both sides alike. Each round's figures are printed, then the medians over
/// the rounds of A's and B's added latency and of their difference. With <c>--steps</c>, rounds of a step-up follow:
/// at each rate A and B run in turn (order alternating), each side until its first step that does not hold, and the
/// highest rate each side held is reported per round and as the median over the rounds. Every phase starts with both
/// silos quiet, so neither is charged with work the other left from its own phase (a silo that answers ahead of its
/// writes could otherwise pass its backlog on); how long each kept working after its step is printed beside it.
/// </summary>
public static class GatewayCompareCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var siloDll = args.Get("silo", Path.Combine("silo", "bin", "Release", "net10.0", "OrleansTenancy.Silo.dll"));
        var siloA = args.Get("silo-a", siloDll);
        var siloB = args.Get("silo-b", siloDll);
        var steps = args.Get("steps", "").Length == 0 ? [] : GatewayCommand.Rates(args, "steps", "");
        var stepRounds = args.GetInt("step-rounds", 5);
        var p99Bound = args.GetInt("p99-bound", 100);
        var rate = args.GetInt("rate", 1000);
        var rounds = args.GetInt("rounds", 8);
        var warmup = TimeSpan.FromSeconds(args.GetInt("warmup", 2));
        var measured = TimeSpan.FromSeconds(args.GetInt("duration", 5));
        var pacing = GatewayCommand.ParsePacing(args);
        var environmentA = GatewayCommand.EnvironmentPairs(args, "a");
        var environmentB = GatewayCommand.EnvironmentPairs(args, "b");

        var work = Directory.CreateTempSubdirectory("gateway-ab-");
        try
        {
            var tenants = GatewayCommand.WriteTenants(args.Get("tenants", "tenants"), work.FullName);
            await using var simulator = await OpenRouterSimulator.StartAsync();
            await using var processA = await SiloProcess.StartAsync(siloA, tenants, DataDirectory(work, "a"), simulator.BaseUrl, [], environmentA);
            await using var processB = await SiloProcess.StartAsync(siloB, tenants, DataDirectory(work, "b"), simulator.BaseUrl, [], environmentB);
            using var client = GatewayCommand.CreateLoadClient();
            var body = Encoding.UTF8.GetBytes(GatewayCommand.RequestBody);
            var timeout = TimeSpan.FromSeconds(10);
            var loads = new (string Label, OpenLoopLoad Load)[]
            {
                ("direct", new OpenLoopLoad(client, new Uri(simulator.BaseUrl + "/chat/completions"), body, "sk-or-bench", timeout, pacing)),
                ("A", new OpenLoopLoad(client, new Uri(processA.BaseUrl, "v1/chat/completions"), body, GatewayCommand.ApiKey, timeout, pacing)),
                ("B", new OpenLoopLoad(client, new Uri(processB.BaseUrl, "v1/chat/completions"), body, GatewayCommand.ApiKey, timeout, pacing)),
            };

            Console.WriteLine($"# gateway A/B, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {rate:N0} requests/s, {rounds} rounds of direct, A and B (order rotated), warm-up {warmup.TotalSeconds} s, measured {measured.TotalSeconds} s per phase");
            Console.WriteLine($"# load: open loop, {GatewayCommand.PacingDescription(pacing)}");
            Console.WriteLine($"# A: {Describe(siloA, environmentA)}; B: {Describe(siloB, environmentB)}");
            foreach (var (_, load) in loads)
            {
                await load.RunAsync("warm-up", 200, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
            }

            Console.WriteLine();
            Console.WriteLine("Added = gateway − direct, ms; \"from send\" leaves out the load generator's own lag in issuing requests.");
            Console.WriteLine();
            Console.WriteLine("| round | direct p50 | A p50 added | B p50 added | B − A p50 | direct p50 from send | A p50 added, from send | B p50 added, from send | B − A, from send | A p99 added | B p99 added | errors |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var rows = new List<(double A50, double B50, double A99, double B99, double AS50, double BS50)>();
            for (var round = 1; round <= rounds; round++)
            {
                // Rotating the order keeps "A always runs right after direct" from becoming part of the difference.
                var results = new Dictionary<string, PhaseResult>();
                for (var i = 0; i < loads.Length; i++)
                {
                    var (label, load) = loads[(i + round) % loads.Length];
                    await Task.WhenAll(processA.WaitUntilQuietAsync(QuietLimit), processB.WaitUntilQuietAsync(QuietLimit));
                    results[label] = await load.RunAsync(label, rate, warmup, measured);
                }

                var d = results["direct"];
                var a = results["A"];
                var b = results["B"];
                var row = (A50: a.Percentile(0.5) - d.Percentile(0.5), B50: b.Percentile(0.5) - d.Percentile(0.5),
                    A99: a.Percentile(0.99) - d.Percentile(0.99), B99: b.Percentile(0.99) - d.Percentile(0.99),
                    AS50: a.ServicePercentile(0.5) - d.ServicePercentile(0.5), BS50: b.ServicePercentile(0.5) - d.ServicePercentile(0.5));
                rows.Add(row);
                Console.WriteLine(GatewayCommand.Invariant(
                    $"| {round} | {d.Percentile(0.5):F2} | {row.A50:F2} | {row.B50:F2} | {row.B50 - row.A50:+0.00;-0.00} | {d.ServicePercentile(0.5):F3} | {row.AS50:F3} | {row.BS50:F3} | {row.BS50 - row.AS50:+0.000;-0.000} | {row.A99:F2} | {row.B99:F2} | {d.Errors + a.Errors + b.Errors} |"));
            }

            Console.WriteLine();
            Console.WriteLine(Comparison("added p50", rows.Select(r => (r.A50, r.B50)).ToArray()));
            Console.WriteLine(Comparison("added p50 from send", rows.Select(r => (r.AS50, r.BS50)).ToArray()));
            Console.WriteLine(GatewayCommand.Invariant($"median over {rounds} rounds, added p99: A {Median(rows.Select(r => r.A99)):F3} ms, B {Median(rows.Select(r => r.B99)):F3} ms (range A {rows.Min(r => r.A99):F3} – {rows.Max(r => r.A99):F3}, B {rows.Min(r => r.B99):F3} – {rows.Max(r => r.B99):F3})"));
            if (steps.Length > 0)
            {
                await StepUpAsync((loads[1].Load, processA), (loads[2].Load, processB), steps, stepRounds, p99Bound, warmup, measured);
            }

            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Rounds of a step-up through both silos: at each rate the side that still holds runs (A first in odd rounds, B
    /// first in even ones); a side stops at its first step with an error, a p99 above the bound or fewer than 95% of
    /// the requests completed in the window.
    /// </summary>
    private static async Task StepUpAsync(
        (OpenLoopLoad Load, SiloProcess Silo) a, (OpenLoopLoad Load, SiloProcess Silo) b, int[] steps, int rounds, int p99Bound, TimeSpan warmup, TimeSpan measured)
    {
        Console.WriteLine();
        Console.WriteLine(GatewayCommand.Invariant($"## step-up, A and B in turn (holds: no errors, p99 ≤ {p99Bound} ms, completed ≥ 95% of target)"));
        Console.WriteLine();
        Console.WriteLine("Each phase starts with both silos quiet; \"left over\" is how long the silo just measured kept working after its load stopped.");
        Console.WriteLine();
        Console.WriteLine("| round | rate /s | side | p50 | p99 | errors | completed /s | left over, s | holds |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|---:|---|");
        var highest = new List<(int A, int B)>();
        for (var round = 1; round <= rounds; round++)
        {
            var held = new Dictionary<string, int> { ["A"] = 0, ["B"] = 0 };
            var failed = new HashSet<string>();
            var order = round % 2 == 1 ? new[] { ("A", a), ("B", b) } : [("B", b), ("A", a)];
            await Task.WhenAll(a.Silo.WaitUntilQuietAsync(QuietLimit), b.Silo.WaitUntilQuietAsync(QuietLimit));
            foreach (var rate in steps)
            {
                foreach (var (side, (load, silo)) in order.Where(o => !failed.Contains(o.Item1)))
                {
                    var r = await load.RunAsync(side, rate, warmup, measured);
                    var leftOver = await silo.WaitUntilQuietAsync(QuietLimit);
                    var holds = r.Holds(p99Bound);
                    Console.WriteLine(GatewayCommand.Invariant(
                        $"| {round} | {rate:N0} | {side} | {r.Percentile(0.5):F2} | {r.Percentile(0.99):F2} | {r.Errors} | {r.Throughput:N0} | {(leftOver >= QuietLimit ? "> " : "")}{leftOver.TotalSeconds:F1} | {(holds ? "yes" : "**no**")} |"));
                    if (holds)
                    {
                        held[side] = rate;
                    }
                    else
                    {
                        failed.Add(side);
                    }
                }

                if (failed.Count == 2)
                {
                    break;
                }
            }

            highest.Add((held["A"], held["B"]));
            Console.WriteLine(GatewayCommand.Invariant($"<!-- round {round}: highest held A {held["A"]:N0} /s, B {held["B"]:N0} /s -->"));
        }

        Console.WriteLine();
        Console.WriteLine(GatewayCommand.Invariant(
            $"median over {rounds} step-up rounds, highest sustainable rate: A {Median(highest.Select(h => (double)h.A)):N0} /s (range {highest.Min(h => h.A):N0} – {highest.Max(h => h.A):N0}), B {Median(highest.Select(h => (double)h.B)):N0} /s (range {highest.Min(h => h.B):N0} – {highest.Max(h => h.B):N0}); per round A/B: {string.Join(", ", highest.Select(h => $"{h.A}/{h.B}"))}"));
    }

    // Longer than any backlog seen at a step that holds, short enough that a silo that never settles stops the run soon.
    private static readonly TimeSpan QuietLimit = TimeSpan.FromSeconds(30);

    private static string DataDirectory(DirectoryInfo work, string name) => Directory.CreateDirectory(Path.Combine(work.FullName, "data-" + name)).FullName;

    private static string Describe(string siloDll, Dictionary<string, string> environment) =>
        Path.GetFullPath(siloDll) + ", " + (environment.Count == 0 ? "as shipped" : string.Join(", ", environment.Select(pair => $"{pair.Key}={pair.Value}")));

    private static string Comparison(string figure, (double A, double B)[] rounds) => GatewayCommand.Invariant(
        $"median over {rounds.Length} rounds, {figure}: A {Median(rounds.Select(r => r.A)):F3} ms, B {Median(rounds.Select(r => r.B)):F3} ms, B − A {Median(rounds.Select(r => r.B - r.A)):+0.000;-0.000} ms (B lower in {rounds.Count(r => r.B < r.A)} of {rounds.Length} rounds)");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
