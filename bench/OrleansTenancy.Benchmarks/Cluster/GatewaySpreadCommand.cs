using System.Globalization;
using System.Text;
using OrleansTenancy.Benchmarks.Gateway;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Cluster.TestSupport;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// <c>gateway-spread</c>: HTTP chat completions through a cluster of one silo process and through a cluster of two
/// silo processes, both started by <c>deploy/local/cluster.sh</c> (Redis membership, grain state and ledger in
/// PostgreSQL) and running side by side in the same run. The same open-loop load, two tenants at half the rate each,
/// goes to the one silo, or half to each of the two. Interleaved rounds at a fixed rate (p50, p99 from each request's
/// scheduled start), then rounds of a step-up to the highest rate that holds (no errors, p99 within the bound, 95% of
/// the requests completed in the window). The OpenRouter simulator, in this process, is the upstream of both and, called
/// directly at the same rate, the same-run reference.
/// </summary>
public static class GatewaySpreadCommand
{
    private const string Direct = "simulator alone";
    private const string OneSilo = "1 silo process";
    private const string TwoSilos = "2 silo processes";

    public static async Task<int> RunAsync(Arguments args)
    {
        var siloDll = Path.GetFullPath(args.Get("silo", Path.Combine("silo", "bin", "Release", "net10.0", "OrleansTenancy.Silo.dll")));
        if (!File.Exists(siloDll))
        {
            Console.Error.WriteLine($"The silo program '{siloDll}' does not exist. Build it with 'dotnet build -c Release silo' or pass --silo <dll>.");
            return 2;
        }

        var rate = args.GetInt("rate", 200);
        var steps = GatewayCommand.Rates(args, "steps", "100,200,300,400,600,800,1000");
        var rounds = args.GetInt("rounds", 3);
        var warmup = TimeSpan.FromSeconds(args.GetInt("warmup", 2));
        var measured = TimeSpan.FromSeconds(args.GetInt("duration", 5));
        var p99Bound = args.GetInt("p99-bound", 250);
        var work = Directory.CreateTempSubdirectory("gateway-spread-");
        try
        {
            var tenants = GatewayCommand.WriteTenants(args.Get("tenants", "tenants"), work.FullName, tenants: 2);
            await using var simulator = await OpenRouterSimulator.StartAsync();
            await using var one = LocalCluster.Create(new ClusterSettings("redis", siloDll, tenants, simulator.BaseUrl));
            await using var two = LocalCluster.Create(new ClusterSettings("redis", siloDll, tenants, simulator.BaseUrl));
            await one.StartAsync(1);
            await two.StartAsync(2);
            using var client = GatewayCommand.CreateLoadClient();
            var body = Encoding.UTF8.GetBytes(GatewayCommand.RequestBody);
            var timeout = TimeSpan.FromSeconds(10);
            OpenLoopLoad Load(Uri silo, int tenant) => new(client, new Uri(silo, "v1/chat/completions"), body, GatewayCommand.ApiKeyOf(tenant), timeout);
            var direct = new OpenLoopLoad(client, new Uri(simulator.BaseUrl + "/chat/completions"), body, "sk-or-bench", timeout);
            var paths = new Dictionary<string, OpenLoopLoad[]>(StringComparer.Ordinal)
            {
                [Direct] = [direct],
                [OneSilo] = [Load(one.Silo(1), 1), Load(one.Silo(1), 2)],
                [TwoSilos] = [Load(two.Silo(1), 1), Load(two.Silo(2), 2)],
            };

            Console.WriteLine($"# gateway-spread, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {Rounds.LoadAverage()}");
            Console.WriteLine($"# open loop, two tenants at half the rate each; {rounds} rounds; warm-up {warmup.TotalSeconds} s, measured {measured.TotalSeconds} s per phase; sustainable: no errors, p99 <= {p99Bound} ms, >= 95% completed");
            foreach (var warm in paths.Values)
            {
                await RunAsync(warm, 50, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
            }

            var fixedRate = new Dictionary<string, List<PhaseResult>>(StringComparer.Ordinal);
            var sustainable = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            for (var round = 1; round <= rounds; round++)
            {
                // The order of the two clusters alternates, so that drift of the shared machine hits both alike.
                string[] order = round % 2 == 1 ? [Direct, OneSilo, TwoSilos] : [Direct, TwoSilos, OneSilo];
                foreach (var path in order)
                {
                    var result = await RunAsync(paths[path], rate, warmup, measured);
                    Add(fixedRate, path, result);
                    Console.WriteLine(Invariant($"round {round} {path,-18} {rate,5} /s   p50 {result.Percentile(0.5),8:F2} ms   p99 {result.Percentile(0.99),8:F2} ms   completed {result.Throughput,7:F0} /s   errors {result.Errors}{(result.FirstError is null ? "" : $" ({result.FirstError})")}"));
                }

                foreach (var path in order.Skip(1))
                {
                    var highest = 0;
                    foreach (var step in steps)
                    {
                        var result = await RunAsync(paths[path], step, warmup, measured);
                        var holds = result.Holds(p99Bound);
                        Console.WriteLine(Invariant($"round {round} step-up {path,-18} {step,5} /s   p99 {result.Percentile(0.99),8:F2} ms   completed {result.Throughput,7:F0} /s   errors {result.Errors}   {(holds ? "holds" : "does not hold")}"));
                        if (!holds)
                        {
                            break;
                        }

                        highest = step;
                    }

                    Add(sustainable, path, highest);
                }
            }

            Console.WriteLine();
            Console.WriteLine(Invariant($"| path | p50 ms at {rate}/s, median (min-max) | p99 ms at {rate}/s, median (min-max) | highest sustainable /s, median (min-max) | × 1 silo process |"));
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var path in new[] { Direct, OneSilo, TwoSilos })
            {
                var p50 = fixedRate[path].Select(r => r.Percentile(0.5)).ToArray();
                var p99 = fixedRate[path].Select(r => r.Percentile(0.99)).ToArray();
                var highest = sustainable.GetValueOrDefault(path)?.Select(r => (double)r).ToArray();
                var ratios = highest is null ? null : sustainable[path].Zip(sustainable[OneSilo], (a, b) => b == 0 ? 0 : (double)a / b).ToArray();
                Console.WriteLine(Invariant(
                    $"| {path} | {Rounds.Median(p50):F2} ({p50.Min():F2}-{p50.Max():F2}) | {Rounds.Median(p99):F2} ({p99.Min():F2}-{p99.Max():F2}) | {(highest is null ? "not stepped" : $"{Rounds.Median(highest):F0} ({highest.Min():F0}-{highest.Max():F0})")} | {(ratios is null ? "" : $"{Rounds.Median(ratios):F2}")} |"));
            }

            Console.WriteLine($"load average at the end {Rounds.LoadAverage()}");
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The loads of one path at once, each at its share of <paramref name="rate"/>, as one result.</summary>
    private static async Task<PhaseResult> RunAsync(OpenLoopLoad[] loads, int rate, TimeSpan warmup, TimeSpan measured)
    {
        var parts = await Task.WhenAll(loads.Select(l => l.RunAsync("", rate / loads.Length, warmup, measured)));
        return new PhaseResult(
            "", rate, parts.Sum(p => p.Measured), [.. parts.SelectMany(p => p.Latencies).Order()], parts.Sum(p => p.Errors),
            parts.Select(p => p.FirstError).FirstOrDefault(e => e is not null), parts.Sum(p => p.Throughput), parts.Max(p => p.SendLagP99),
            [.. parts.SelectMany(p => p.ServiceLatencies).Order()]);
    }

    private static void Add<T>(Dictionary<string, List<T>> results, string path, T value)
    {
        if (!results.TryGetValue(path, out var list))
        {
            results[path] = list = [];
        }

        list.Add(value);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
