using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Benchmarks.Gateway;

/// <summary>
/// <c>gateway</c>: the latency the silo's OpenAI-compatible gateway adds to a chat completion. The OpenRouter
/// simulator runs in this process; the silo runs as a child process with the simulator as its upstream. At each
/// rate the same open-loop load goes first straight to the simulator, then through the gateway; the difference of
/// the percentiles is the gateway's cost. A step-up through the gateway then finds the highest rate that holds.
/// </summary>
public static class GatewayCommand
{
    private const string TenantSlug = "bench-gateway";

    /// <summary>The measured tenant's API key.</summary>
    internal static readonly string ApiKey = ApiKeyOf(1);

    /// <summary>The chat completion every measured request sends.</summary>
    internal const string RequestBody = """{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}],"max_tokens":16}""";

    public static async Task<int> RunAsync(Arguments args)
    {
        var siloDll = args.Get("silo", Path.Combine("silo", "bin", "Release", "net10.0", "OrleansTenancy.Silo.dll"));
        var shippedTenants = args.Get("tenants", "tenants");
        var rates = Rates(args, "rates", "500,1000,2000");
        var steps = Rates(args, "steps", "500,1000,1500,2000,3000,4000,5000,6000");
        var warmup = TimeSpan.FromSeconds(args.GetInt("warmup", 3));
        var measured = TimeSpan.FromSeconds(args.GetInt("duration", 10));
        var pacing = ParsePacing(args);
        var p99Bound = args.GetInt("p99-bound", 100);
        // Diagnostic: the shipped appsettings log every upstream HTTP call at Information (four entries per call).
        var quietHttpLog = args.Get("quiet-http-client-log", "false") == "true";
        // Diagnostic: runtime settings for the silo process alone (the load generator and simulator keep their own).
        var siloEnvironment = EnvironmentPairs(args, "silo-env");

        var work = Directory.CreateTempSubdirectory("gateway-bench-");
        try
        {
            var tenants = WriteTenants(shippedTenants, work.FullName);
            var data = Directory.CreateDirectory(Path.Combine(work.FullName, "data")).FullName;
            var external = args.Get("upstream", "");
            await using var simulator = external.Length == 0 ? await OpenRouterSimulator.StartAsync() : null;
            var upstream = simulator?.BaseUrl ?? new Uri(external);
            await using var silo = await SiloProcess.StartAsync(siloDll, tenants, data, upstream,
                quietHttpLog ? ["--Logging:LogLevel:System.Net.Http.HttpClient", "Warning"] : [], siloEnvironment);
            using var client = CreateLoadClient();
            var body = Encoding.UTF8.GetBytes(RequestBody);
            var timeout = TimeSpan.FromSeconds(10);
            var direct = new OpenLoopLoad(client, new Uri(upstream + "/chat/completions"), body, "sk-or-bench", timeout, pacing);
            var gateway = new OpenLoopLoad(client, new Uri(silo.BaseUrl, "v1/chat/completions"), body, ApiKey, timeout, pacing);

            Console.WriteLine($"# gateway overhead, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, warm-up {warmup.TotalSeconds} s, measured {measured.TotalSeconds} s per point");
            Console.WriteLine($"# load: open loop, {PacingDescription(pacing)}");
            Console.WriteLine($"# simulator {upstream} ({(simulator is null ? "its own process" : "in this process")}), silo {silo.BaseUrl} (child process), tenant {TenantSlug}: hard enforcement, cache off, no rate limits{(quietHttpLog ? "; silo HttpClient log level Warning" : "; silo logging as shipped")}");
            if (siloEnvironment.Count > 0)
            {
                Console.WriteLine($"# silo environment: {string.Join(", ", siloEnvironment.Select(pair => $"{pair.Key}={pair.Value}"))}");
            }

            Console.WriteLine();
            await RunPhaseAsync(direct, "direct", 200, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), silo);
            await RunPhaseAsync(gateway, "gateway", 200, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), silo);

            var gatewayByRate = new Dictionary<int, PhaseResult>();
            Console.WriteLine("## same-run comparison (ms, from scheduled start to full response)");
            Console.WriteLine();
            Console.WriteLine("| rate /s | path | p50 | p90 | p99 | max | errors | completed /s | silo CPU ms/req | bench CPU ms/req | send lag p99 |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var added = new List<string>();
            foreach (var rate in rates)
            {
                var d = await RunPhaseAsync(direct, "direct", rate, warmup, measured, silo);
                var g = await RunPhaseAsync(gateway, "gateway", rate, warmup, measured, silo);
                gatewayByRate[rate] = g.Result;
                Console.WriteLine(Row(d));
                Console.WriteLine(Row(g));
                added.Add(Invariant(
                    $"| {rate:N0} | {g.Result.Percentile(0.5) - d.Result.Percentile(0.5):F2} | {g.Result.Percentile(0.9) - d.Result.Percentile(0.9):F2} | {g.Result.Percentile(0.99) - d.Result.Percentile(0.99):F2} | {g.Result.ServicePercentile(0.5) - d.Result.ServicePercentile(0.5):F2} | {g.Result.ServicePercentile(0.99) - d.Result.ServicePercentile(0.99):F2} |"));
                PrintFirstError(d.Result);
                PrintFirstError(g.Result);
            }

            Console.WriteLine();
            Console.WriteLine("## added by the gateway (gateway − direct, ms)");
            Console.WriteLine();
            Console.WriteLine("From the scheduled start, and from the actual send (without the load generator's own lag in issuing requests).");
            Console.WriteLine();
            Console.WriteLine("| rate /s | p50 | p90 | p99 | p50 from send | p99 from send |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
            added.ForEach(Console.WriteLine);

            Console.WriteLine();
            Console.WriteLine(Invariant($"## step-up through the gateway (holds: no errors, p99 ≤ {p99Bound} ms, completed ≥ 95% of target)"));
            Console.WriteLine();
            Console.WriteLine("| rate /s | path | p50 | p90 | p99 | max | errors | completed /s | silo CPU ms/req | bench CPU ms/req | send lag p99 | holds |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            int? highest = null;
            foreach (var rate in steps)
            {
                var g = gatewayByRate.TryGetValue(rate, out var earlier)
                    ? new Measured(earlier, double.NaN)
                    : await RunPhaseAsync(gateway, "gateway", rate, warmup, measured, silo);
                var holds = g.Result.Holds(p99Bound);
                Console.WriteLine(Row(g) + (holds ? " yes |" : " **no** |"));
                PrintFirstError(g.Result);
                if (!holds)
                {
                    // Whether the limit is the gateway's or the machine's: the same rate straight to the simulator.
                    var d = await RunPhaseAsync(direct, "direct", rate, warmup, measured, silo);
                    var directHolds = d.Result.Holds(p99Bound);
                    Console.WriteLine(Row(d) + (directHolds ? " yes |" : " **no** |"));
                    break;
                }

                highest = rate;
            }

            Console.WriteLine();
            Console.WriteLine(highest is { } h
                ? Invariant($"highest sustainable rate through the gateway: {h:N0} requests/s")
                : "no step held");
            Console.WriteLine(Invariant($"silo console lines written during the run: {silo.OutputLines:N0}; the last ones:"));
            Console.WriteLine(silo.Tail());
            return 0;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private sealed record Measured(PhaseResult Result, double SiloCpuMsPerRequest, double BenchCpuMsPerRequest = double.NaN);

    private static async Task<Measured> RunPhaseAsync(OpenLoopLoad load, string target, int rate, TimeSpan warmup, TimeSpan measured, SiloProcess silo)
    {
        using var self = Process.GetCurrentProcess();
        var cpuBefore = silo.ProcessorTime;
        var benchBefore = self.TotalProcessorTime;
        var result = await load.RunAsync(target, rate, warmup, measured);
        var requests = rate * (warmup + measured).TotalSeconds;
        self.Refresh();
        return new Measured(
            result,
            (silo.ProcessorTime - cpuBefore).TotalMilliseconds / requests,
            (self.TotalProcessorTime - benchBefore).TotalMilliseconds / requests);
    }

    private static string Row(Measured m)
    {
        var r = m.Result;
        var cpu = double.IsNaN(m.SiloCpuMsPerRequest)
            ? "(above) | (above)"
            : Invariant($"{m.SiloCpuMsPerRequest:F3} | {m.BenchCpuMsPerRequest:F3}");
        return Invariant(
            $"| {r.Rate:N0} | {r.Target} | {r.Percentile(0.5):F2} | {r.Percentile(0.9):F2} | {r.Percentile(0.99):F2} | {r.Max:F1} | {r.Errors} | {r.Throughput:N0} | {cpu} | {r.SendLagP99:F2} |");
    }

    private static void PrintFirstError(PhaseResult r)
    {
        if (r.FirstError is not null)
        {
            Console.WriteLine($"<!-- {r.Target} at {r.Rate}/s, first error: {r.FirstError} -->");
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The load generator's client: HTTP/1.1 keep-alive, enough connections that no request waits for one.</summary>
    internal static HttpClient CreateLoadClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 1024,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    internal static int[] Rates(Arguments args, string name, string fallback)
    {
        var text = args.Get(name, fallback);
        return text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var rate) && rate > 0
                ? rate
                : throw new ArgumentException($"--{name} '{text}': '{part}' is not a positive whole number of requests per second."))
            .ToArray();
    }

    /// <summary>The <c>--pacing</c> option: <c>due-time</c> (default) or <c>timer-ticks</c> (the earlier generator).</summary>
    internal static Pacing ParsePacing(Arguments args) => args.Get("pacing", "due-time") switch
    {
        "due-time" => Pacing.DueTime,
        "timer-ticks" => Pacing.TimerTicks,
        var other => throw new ArgumentException($"--pacing '{other}': use due-time (each request at its due time) or timer-ticks (the earlier 1 ms timer loop)."),
    };

    /// <summary>The load generator's pacing, for the report header.</summary>
    internal static string PacingDescription(Pacing pacing) => pacing == Pacing.DueTime
        ? Pacer.Method
        : "requests due are issued each time a 1 ms Task.Delay loop wakes (--pacing timer-ticks, the earlier generator)";

    /// <summary>Parses the value of <paramref name="option"/>: <c>NAME=VALUE,NAME=VALUE</c>.</summary>
    internal static Dictionary<string, string> EnvironmentPairs(Arguments args, string option)
    {
        var text = args.Get(option, "");
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--{option} '{text}': '{part}' is not NAME=VALUE.");
            }

            pairs[part[..equals]] = part[(equals + 1)..];
        }

        return pairs;
    }

    /// <summary>The API key of benchmark tenant <paramref name="number"/> (1 is <see cref="ApiKey"/>'s tenant).</summary>
    internal static string ApiKeyOf(int number) => $"sk-tenant-bench-gateway-{number}";

    /// <summary>
    /// Copies the shipped tenants (yaml files only) and adds the measured tenants: hard enforcement with caps far above
    /// what a run spends, the response cache off (every request goes upstream) and no rate limits.
    /// </summary>
    /// <param name="shipped">The shipped tenants folder, copied for its defaults and models.</param>
    /// <param name="work">Where the copy goes.</param>
    /// <param name="tenants">How many benchmark tenants: <c>bench-gateway</c>, then <c>bench-gateway-2</c> and on, keys <see cref="ApiKeyOf"/>.</param>
    internal static string WriteTenants(string shipped, string work, int tenants = 1)
    {
        if (!Directory.Exists(shipped))
        {
            throw new DirectoryNotFoundException($"The tenants folder '{Path.GetFullPath(shipped)}' does not exist; run from the repository root or pass --tenants <dir>.");
        }

        var target = Path.Combine(work, "tenants");
        foreach (var file in Directory.EnumerateFiles(shipped, "*.yaml", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        for (var number = 1; number <= tenants; number++)
        {
            WriteTenant(Path.Combine(target, number == 1 ? TenantSlug : $"{TenantSlug}-{number}"), ApiKeyOf(number));
        }

        return target;
    }

    private static void WriteTenant(string folder, string apiKey)
    {
        var tenant = Directory.CreateDirectory(folder).FullName;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));
        File.WriteAllText(Path.Combine(tenant, "tenant.yaml"), $"""
            name: Gateway benchmark
            status: active
            timezone: UTC
            workspaces:
              main:
            api_keys:
              - id: bench-client
                workspace: main
                sha256: {hash}
            """);
        File.WriteAllText(Path.Combine(tenant, "budgets.yaml"), """
            daily_cap_usd: 1000000
            monthly_cap_usd: 10000000
            max_per_request: 1
            enforcement: hard
            """);
        File.WriteAllText(Path.Combine(tenant, "policy_overrides.yaml"), """
            cache_ttl_seconds: 0
            """);
    }
}
