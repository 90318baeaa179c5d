using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrleansTenancy.Benchmarks.Calls;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// <c>cross-silo-processes</c>: grain calls per second, p50 and p99, for clusters of 1, 2 and 3 silos that are each a
/// process of their own (this program started again as <c>cross-silo-member</c>), every call leaving its silo for a
/// grain on another one (with one silo, all calls are local). The closed-loop workers are split evenly over the silo
/// processes and call from inside them, as grains and the router do. The same-run baseline is <see cref="RawEcho"/>
/// between two processes: the same request and answer over loopback TCP without Orleans, its server in a process of its
/// own. Rounds are interleaved (baseline, 1, 2, 3 silos, then again); p50 and p99 are over the calls of all processes.
/// </summary>
public static class CrossSiloProcessesCommand
{
    private const string Baseline = "raw TCP echo (2 processes)";
    private const string Reply = "@@ ";

    public static async Task<int> RunAsync(Arguments args)
    {
        var sizes = args.Get("silos", "1,2,3").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rounds = args.GetInt("rounds", 3);
        var duration = args.GetInt("duration", 5);
        var warmUp = args.GetInt("warmup", 1);
        var concurrency = args.GetInt("concurrency", 64);
        var grainsPerSilo = args.GetInt("grains", 64);
        var work = Directory.CreateTempSubdirectory("cross-silo-processes-");
        Console.WriteLine($"cross-silo-processes: silos {string.Join(',', sizes)} (one process each), {rounds} rounds of {duration} s (+{warmUp} s warm-up), {concurrency} workers split over the silos, {grainsPerSilo} grains per silo, {Environment.ProcessorCount} cores; load average {Rounds.LoadAverage()}");

        var clusters = new List<(string Name, Member[] Members)>();
        await using var echoServer = await Member.StartAsync(["raw-echo"]);
        var echoPort = int.Parse((await echoServer.AskAsync("port")).Single(), CultureInfo.InvariantCulture);
        await using var echo = await RawEcho.ClientOfAsync(echoPort, concurrency);
        try
        {
            foreach (var size in sizes)
            {
                clusters.Add(($"{size} silo process{(size == 1 ? " (local calls)" : "es (remote calls)")}", await StartClusterAsync(size, grainsPerSilo)));
            }

            var results = new Rounds();
            for (var round = 1; round <= rounds; round++)
            {
                results.Add(Baseline, await LoadRunner.RunAsync(concurrency, TimeSpan.FromSeconds(warmUp), TimeSpan.FromSeconds(duration),
                    async (worker, i) => await echo.EchoAsync(worker, (int)i) == (int)i));
                foreach (var (name, members) in clusters)
                {
                    results.Add(name, await RunRoundAsync(members, concurrency, warmUp, duration, work.FullName, round));
                }
            }

            results.Print(Baseline);
            Console.WriteLine($"load average at the end {Rounds.LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (var (_, members) in clusters)
            {
                foreach (var member in members.Reverse())
                {
                    await member.DisposeAsync();
                }
            }

            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <c>cross-silo-member</c>: one silo of the cluster (or, with <c>raw-echo</c>, the echo server), answering the
    /// coordinator's commands on standard input with lines that start <c>@@</c>.
    /// </summary>
    public static async Task<int> MemberAsync(Arguments args)
    {
        if (args.Get("raw-echo", "false") == "true")
        {
            await using var server = RawEcho.Serve();
            return await ServeCommandsAsync(command => Task.FromResult<string[]>(command == "port" ? [server.Port.ToString(CultureInfo.InvariantCulture)] : []));
        }

        var index = args.GetInt("number", 1) - 1;
        var count = args.GetInt("count", 1);
        var grainsPerSilo = args.GetInt("grains", 64);
        var primary = new IPEndPoint(IPAddress.Loopback, args.GetInt("primary-port", 0));
        using var silo = await InProcessCluster.StartSiloAsync(args.GetInt("silo-port", 0), args.GetInt("gateway-port", 0), primary, args.Get("cluster", "bench"));
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        var here = silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
        var keys = Enumerable.Range(0, grainsPerSilo * count).ToArray();
        ILocatedEchoGrain[] targets = [];
        var exit = await ServeCommandsAsync(async command =>
        {
            var words = command.Split(' ');
            switch (words[0])
            {
                case "place":
                    // Each silo activates its share; where they land is Orleans' placement.
                    await Task.WhenAll(keys.Where(k => k % count == index).Select(k => grains.GetGrain<ILocatedEchoGrain>(k).SiloAsync()));
                    return [];
                case "targets":
                    var homes = await Task.WhenAll(keys.Select(k => grains.GetGrain<ILocatedEchoGrain>(k).SiloAsync()));
                    targets = [.. keys.Where(k => count == 1 || homes[k] != here).Select(k => grains.GetGrain<ILocatedEchoGrain>(k))];
                    return [targets.Length.ToString(CultureInfo.InvariantCulture), homes.Count(h => h == here).ToString(CultureInfo.InvariantCulture)];
                case "run":
                    var (workers, warmUp, duration, file) = (int.Parse(words[1], CultureInfo.InvariantCulture), int.Parse(words[2], CultureInfo.InvariantCulture), int.Parse(words[3], CultureInfo.InvariantCulture), words[4]);
                    var result = await LoadRunner.RunAsync(workers, TimeSpan.FromSeconds(warmUp), TimeSpan.FromSeconds(duration),
                        async (worker, i) => await targets[(int)(((i * 7919) + worker) % targets.Length)].EchoAsync((int)i) == (int)i);
                    await File.WriteAllLinesAsync(file, result.SortedLatencyTicks.Select(t => t.ToString(CultureInfo.InvariantCulture)));
                    return [string.Create(CultureInfo.InvariantCulture, $"{result.Operations} {result.Granted} {result.Errors}")];
                default:
                    throw new InvalidOperationException($"unknown command '{command}'");
            }
        });
        await silo.StopAsync(TimeSpan.FromSeconds(10));
        return exit;
    }

    private static async Task<Member[]> StartClusterAsync(int size, int grainsPerSilo)
    {
        var cluster = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var members = new Member[size];
        var primaryPort = LoopbackPorts.Free();
        for (var i = 0; i < size; i++)
        {
            // One after the other: the first holds the membership table.
            var siloPort = i == 0 ? primaryPort : LoopbackPorts.Free();
            members[i] = await Member.StartAsync([
                "--number", $"{i + 1}", "--count", $"{size}", "--grains", $"{grainsPerSilo}", "--cluster", cluster,
                "--primary-port", $"{primaryPort}", "--silo-port", $"{siloPort}", "--gateway-port", $"{LoopbackPorts.Free()}"]);
        }

        foreach (var member in members)
        {
            await member.AskAsync("place");
        }

        var placed = new List<string>();
        foreach (var member in members)
        {
            var answer = await member.AskAsync("targets");
            if (answer[0] == "0")
            {
                throw new InvalidOperationException($"No grain landed outside one of the {size} silos; raise --grains.");
            }

            placed.Add(answer[1]);
        }

        Console.WriteLine($"  {size} silo process(es): grains per silo {string.Join(", ", placed)}");
        return members;
    }

    /// <summary>One round on every silo at once, <paramref name="concurrency"/> workers split over them; percentiles over all their calls.</summary>
    private static async Task<LoadResult> RunRoundAsync(Member[] members, int concurrency, int warmUp, int duration, string folder, int round)
    {
        var files = members.Select((_, i) => Path.Combine(folder, $"r{round}-n{members.Length}-s{i}.txt")).ToArray();
        var answers = await Task.WhenAll(members.Select((m, i) =>
            m.AskAsync($"run {(concurrency / members.Length) + (i < concurrency % members.Length ? 1 : 0)} {warmUp} {duration} {files[i]}")));
        var counts = answers.Select(a => a[0].Split(' ').Select(w => long.Parse(w, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var ticks = files.SelectMany(f => File.ReadLines(f).Select(l => long.Parse(l, CultureInfo.InvariantCulture))).Order().ToArray();
        return new LoadResult(counts.Sum(c => c[0]), counts.Sum(c => c[1]), duration, [], LoadRunner.PercentileMs(ticks, 0.50), LoadRunner.PercentileMs(ticks, 0.99), counts.Sum(c => c[2]), 0, 0, 0);
    }

    /// <summary>Reads commands, one a line, and answers each with its result's lines prefixed <c>@@</c>, then <c>@@ done</c>.</summary>
    private static async Task<int> ServeCommandsAsync(Func<string, Task<string[]>> answer)
    {
        Console.WriteLine(Reply + "done"); // started: the silo (or server) is up
        while (await Console.In.ReadLineAsync() is { } command && command != "stop")
        {
            foreach (var line in await answer(command))
            {
                Console.WriteLine(Reply + line);
            }

            Console.WriteLine(Reply + "done");
        }

        return 0;
    }

    /// <summary>A child process of this program, driven line by line.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly Process _process;
        private Member(Process process) => _process = process;

        public static async Task<Member> StartAsync(string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(typeof(Member).Assembly.Location);
            start.ArgumentList.Add("cross-silo-member");
            if (arguments is ["raw-echo"])
            {
                start.ArgumentList.Add("--raw-echo");
                start.ArgumentList.Add("true");
            }
            else
            {
                foreach (var argument in arguments)
                {
                    start.ArgumentList.Add(argument);
                }
            }

            var member = new Member(Process.Start(start) ?? throw new InvalidOperationException("Could not start a member process."));
            await member.ReadAnswerAsync();
            return member;
        }

        /// <summary>Sends one command and returns its answer's lines (without the closing <c>done</c>).</summary>
        public async Task<string[]> AskAsync(string command)
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            return await ReadAnswerAsync();
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("stop");
                await _process.StandardInput.FlushAsync();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (Exception error) when (error is IOException or TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        private async Task<string[]> ReadAnswerAsync()
        {
            var lines = new List<string>();
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (!line.StartsWith(Reply, StringComparison.Ordinal))
                {
                    Console.Error.WriteLine("  member: " + line); // the silo's own log
                    continue;
                }

                if (line == Reply + "done")
                {
                    return [.. lines];
                }

                lines.Add(line[Reply.Length..]);
            }

            throw new InvalidOperationException($"A member process ended (exit code {(_process.HasExited ? _process.ExitCode : -1)}).");
        }
    }
}
