using System.Globalization;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// Grain calls per second, p50 and p99, for clusters of 1, 2 and 3 silos in this process: every call leaves one silo
/// for a grain on another (with one silo, all calls are local), driven by closed-loop workers spread over the silos.
/// The same-run baseline is <see cref="RawEcho"/>, the same request and answer over loopback TCP without Orleans.
/// Rounds are interleaved (baseline, 1, 2, 3 silos, then again) so that drift of the shared machine hits all alike.
/// </summary>
public static class CrossSiloCommand
{
    private const string Baseline = "raw TCP echo";

    public static async Task<int> RunAsync(Arguments args)
    {
        var sizes = args.Get("silos", "1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rounds = args.GetInt("rounds", 5);
        var duration = TimeSpan.FromSeconds(args.GetInt("duration", 5));
        var warmUp = TimeSpan.FromSeconds(args.GetInt("warmup", 1));
        var concurrency = args.GetInt("concurrency", 64);
        var grainsPerSilo = args.GetInt("grains", 64);
        Console.WriteLine($"cross-silo: silos {string.Join(',', sizes)}, {rounds} rounds of {duration.TotalSeconds:F0} s (+{warmUp.TotalSeconds:F0} s warm-up), {concurrency} workers, {grainsPerSilo} grains per silo; load average {Rounds.LoadAverage()}");

        await using var raw = await RawEcho.StartAsync(concurrency);
        var clusters = new List<(string Name, InProcessCluster Cluster, ILocatedEchoGrain[][] Targets)>();
        try
        {
            foreach (var size in sizes)
            {
                var cluster = await InProcessCluster.StartAsync(size);
                clusters.Add(($"{size} silo{(size == 1 ? " (local calls)" : "s (remote calls)")}", cluster, await PlaceAsync(cluster, grainsPerSilo)));
            }

            var results = new Rounds();
            for (var round = 0; round < rounds; round++)
            {
                results.Add(Baseline, await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) => await raw.EchoAsync(worker, (int)i) == (int)i));
                foreach (var (name, cluster, targets) in clusters)
                {
                    results.Add(name, await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                    {
                        var mine = targets[worker % cluster.Count];
                        return await mine[(int)(i % mine.Length)].EchoAsync((int)i) == (int)i;
                    }));
                }
            }

            results.Print(Baseline);
            Console.WriteLine($"load average at the end {Rounds.LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (var (_, cluster, _) in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Activates grains from every silo and returns, for each silo, references (made through that silo's factory) to the
    /// grains that live on the other silos; with one silo, to all of them.
    /// </summary>
    private static async Task<ILocatedEchoGrain[][]> PlaceAsync(InProcessCluster cluster, int grainsPerSilo)
    {
        var keys = Enumerable.Range(0, grainsPerSilo * cluster.Count).ToArray();
        var homes = await Task.WhenAll(keys.Select(k => cluster.Grains(k % cluster.Count).GetGrain<ILocatedEchoGrain>(k).SiloAsync()));
        var targets = new ILocatedEchoGrain[cluster.Count][];
        for (var silo = 0; silo < cluster.Count; silo++)
        {
            var address = cluster.Address(silo);
            var factory = cluster.Grains(silo);
            targets[silo] = [.. keys.Where(k => cluster.Count == 1 || homes[k] != address).Select(k => factory.GetGrain<ILocatedEchoGrain>(k))];
            if (targets[silo].Length == 0)
            {
                throw new InvalidOperationException($"No grain landed outside silo {silo}; raise --grains.");
            }
        }

        Console.WriteLine($"  {cluster.Count} silo(s): grains per silo {string.Join(", ", Enumerable.Range(0, cluster.Count).Select(s => homes.Count(h => h == cluster.Address(s))))}");
        return targets;
    }
}
