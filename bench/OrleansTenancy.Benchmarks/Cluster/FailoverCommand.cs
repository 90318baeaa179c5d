using System.Diagnostics;
using System.Globalization;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Cluster.TestSupport;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// <c>failover</c>: how long after a SIGKILL of one of three silo processes calls through the survivors succeed again,
/// per membership provider, over several kills. The cluster is the one users run (<c>deploy/local/cluster.sh</c>: its
/// own Redis and PostgreSQL on loopback, PostgreSQL storage), the OpenRouter simulator runs in this process, and callers
/// keep calling every silo across 24 tenants. Each round kills the next silo in turn, measures
/// (<see cref="FailoverReport"/>), and brings the silo back before the next round. The same run repeats everything on a
/// cluster with Orleans' own defaults for failure detection and response timeout, the baseline of the ratio.
/// </summary>
public static class FailoverCommand
{
    /// <summary>Orleans' defaults for what the product tunes (docs/CLUSTER.md), as the silos' environment.</summary>
    private static readonly Dictionary<string, string> OrleansDefaults = new(StringComparer.Ordinal)
    {
        ["CLUSTER__PROBETIMEOUT"] = "00:00:05",
        ["CLUSTER__DEATHVOTEEXPIRATION"] = "00:02:00",
        ["CLUSTER__IAMALIVEPERIOD"] = "00:00:30",
        ["CLUSTER__TABLEREFRESHPERIOD"] = "00:01:00",
        ["CLUSTER__RESPONSETIMEOUT"] = "00:00:30",
    };

    public static async Task<int> RunAsync(Arguments args)
    {
        var siloDll = Path.GetFullPath(args.Get("silo", Path.Combine("silo", "bin", "Release", "net10.0", "OrleansTenancy.Silo.dll")));
        if (!File.Exists(siloDll))
        {
            Console.Error.WriteLine($"The silo program '{siloDll}' does not exist. Build it with 'dotnet build -c Release silo' or pass --silo <dll>.");
            return 2;
        }

        var memberships = args.Get("membership", "redis,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var kills = args.GetInt("kills", 5);
        var callers = args.GetInt("callers", 12);
        var baseline = args.Get("baseline", "true") != "false";
        await using var simulator = await OpenRouterSimulator.StartAsync();
        using var tenants = LoadTenants.Write(24, cappedEvery: 0);

        Console.WriteLine($"# failover, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores: SIGKILL of one of 3 silo processes, {kills} kills per configuration");
        Console.WriteLine($"# load: {callers} callers in a closed loop over all 3 silos and 24 tenants; failover = kill → end of the last call through a survivor that failed or took > {FailoverReport.SlowCall.TotalSeconds:0} s");
        Console.WriteLine();
        var results = new List<(string Membership, string Configuration, List<FailoverReport> Kills)>();
        foreach (var membership in memberships)
        {
            results.Add((membership, "tuned", await KillRoundsAsync(membership, "tuned", new Dictionary<string, string>(), kills, callers, siloDll, simulator.BaseUrl, tenants)));
            if (baseline)
            {
                results.Add((membership, "Orleans defaults", await KillRoundsAsync(membership, "Orleans defaults", OrleansDefaults, kills, callers, siloDll, simulator.BaseUrl, tenants)));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| membership | failure detection | kills | median s | min s | max s | every kill s | failed calls (median) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|---:|");
        foreach (var (membership, configuration, rounds) in results)
        {
            var seconds = rounds.Select(r => r.Failover.TotalSeconds).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {membership} | {configuration} | {seconds.Count} | {Median(seconds):0.00} | {seconds.Min():0.00} | {seconds.Max():0.00} | {string.Join(", ", rounds.Select(r => r.Failover.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} | {Median([.. rounds.Select(r => (double)r.Failed)]):0} |"));
        }

        if (baseline)
        {
            Console.WriteLine();
            foreach (var membership in memberships)
            {
                var tuned = Median([.. results.Single(r => r.Membership == membership && r.Configuration == "tuned").Kills.Select(k => k.Failover.TotalSeconds)]);
                var defaults = Median([.. results.Single(r => r.Membership == membership && r.Configuration != "tuned").Kills.Select(k => k.Failover.TotalSeconds)]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{membership}: Orleans defaults / tuned = {defaults / tuned:0.0}× (median {defaults:0.00} s / {tuned:0.00} s)"));
            }
        }

        return 0;
    }

    private static async Task<List<FailoverReport>> KillRoundsAsync(
        string membership, string configuration, IReadOnlyDictionary<string, string> environment, int kills, int callers, string siloDll, Uri upstream, LoadTenants tenants)
    {
        var reports = new List<FailoverReport>();
        await using var cluster = LocalCluster.Create(new ClusterSettings(membership, siloDll, tenants.Folder, upstream) { SiloEnvironment = environment });
        await cluster.StartAsync(3);
        for (var round = 1; round <= kills; round++)
        {
            var victim = (round - 1) % 3 + 1;
            var survivors = new HashSet<int>(Enumerable.Range(1, 3).Where(s => s != victim));
            await using (var load = HttpLoad.Start(cluster.Silo, [1, 2, 3], tenants.Tenants, callers, $"{membership}-{round}"))
            {
                await load.WaitUntilAsync(l => l.Records.Count(r => r.Silo == victim && r.Answered) >= 100, TimeSpan.FromSeconds(60), $"100 calls answered by silo {victim}");
                var killedAt = Stopwatch.GetTimestamp();
                await cluster.KillAsync(victim);
                await load.WaitUntilAsync(l => FailoverReport.Recovered(l, killedAt, survivors, TimeSpan.FromSeconds(3), 100), TimeSpan.FromSeconds(120), "the survivors to recover");
                await load.StopAsync();
                var report = FailoverReport.Measure(load.Records, killedAt, survivors);
                reports.Add(report);
                Console.WriteLine($"{membership}, {configuration}, kill {round} (silo {victim}): {report}");
            }

            await cluster.StartAsync(3);
        }

        return reports;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
