using System.Globalization;
using System.Text;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>
/// <c>gateway-ab</c>: compares two silo configurations (environment variables of the silo process, e.g. a runtime
/// setting or a diagnostic switch) on the gateway's added latency. Both silos run at once against the same simulator,
/// and short phases rotate through direct, A and B for several rounds, so that the machine's drift from one minute to
/// the next (about ±0.15 ms p50 here) falls on both sides alike. Each round's figures are printed, then the medians
/// over the rounds of A's and B's added latency and of their difference.
/// </summary>
public static class GatewayCompareCommand
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var siloDll = args.Get("silo", Path.Combine("silo", "bin", "Release", "net10.0", "OrleansTenancy.Silo.dll"));
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
            await using var siloA = await SiloProcess.StartAsync(siloDll, tenants, DataDirectory(work, "a"), simulator.BaseUrl, [], environmentA);
            await using var siloB = await SiloProcess.StartAsync(siloDll, tenants, DataDirectory(work, "b"), simulator.BaseUrl, [], environmentB);
            using var client = GatewayCommand.CreateLoadClient();
            var body = Encoding.UTF8.GetBytes(GatewayCommand.RequestBody);
            var timeout = TimeSpan.FromSeconds(10);
            var loads = new (string Label, OpenLoopLoad Load)[]
            {
                ("direct", new OpenLoopLoad(client, new Uri(simulator.BaseUrl + "/chat/completions"), body, "sk-or-bench", timeout, pacing)),
                ("A", new OpenLoopLoad(client, new Uri(siloA.BaseUrl, "v1/chat/completions"), body, GatewayCommand.ApiKey, timeout, pacing)),
                ("B", new OpenLoopLoad(client, new Uri(siloB.BaseUrl, "v1/chat/completions"), body, GatewayCommand.ApiKey, timeout, pacing)),
            };

            Console.WriteLine($"# gateway A/B, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {rate:N0} requests/s, {rounds} rounds of direct, A and B (order rotated), warm-up {warmup.TotalSeconds} s, measured {measured.TotalSeconds} s per phase");
            Console.WriteLine($"# load: open loop, {GatewayCommand.PacingDescription(pacing)}");
            Console.WriteLine($"# A: {Describe(environmentA)}; B: {Describe(environmentB)}");
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
            Console.WriteLine(GatewayCommand.Invariant($"median over {rounds} rounds, added p99: A {Median(rows.Select(r => r.A99)):F3} ms, B {Median(rows.Select(r => r.B99)):F3} ms"));
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string DataDirectory(DirectoryInfo work, string name) => Directory.CreateDirectory(Path.Combine(work.FullName, "data-" + name)).FullName;

    private static string Describe(Dictionary<string, string> environment) =>
        environment.Count == 0 ? "as shipped" : string.Join(", ", environment.Select(pair => $"{pair.Key}={pair.Value}"));

    private static string Comparison(string figure, (double A, double B)[] rounds) => GatewayCommand.Invariant(
        $"median over {rounds.Length} rounds, {figure}: A {Median(rounds.Select(r => r.A)):F3} ms, B {Median(rounds.Select(r => r.B)):F3} ms, B − A {Median(rounds.Select(r => r.B - r.A)):+0.000;-0.000} ms (B lower in {rounds.Count(r => r.B < r.A)} of {rounds.Length} rounds)");

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
