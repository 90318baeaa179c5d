using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Benchmarks.Hosting;
using OrleansTenancy.Benchmarks.Reservations;
using OrleansTenancy.Client;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Benchmarks.Cluster;

/// <summary>
/// Chat calls per second through the Orleans gateways of a cluster of 1 and of 2 silos, from one
/// <see cref="TenancyClient"/> that spreads its calls over every gateway it is given. Each call runs the whole product
/// path (policy, reservation in the tenant grain, upstream, settlement, ledger) against the OpenRouter simulator with
/// no latency, across many tenants, with grain state and ledger in one PostgreSQL database per cluster. The silos run
/// in this process (development membership); the upstream alone, called over HTTP by the same workers, is the
/// same-run reference for what the machine can do without the cluster.
/// </summary>
public static class ClientGatewayCommand
{
    private const string Upstream = "upstream alone (HTTP)";
    private const string Model = "openai/gpt-4o-mini";

    public static async Task<int> RunAsync(Arguments args)
    {
        var sizes = args.Get("silos", "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var rounds = args.GetInt("rounds", 5);
        var duration = TimeSpan.FromSeconds(args.GetInt("duration", 5));
        var warmUp = TimeSpan.FromSeconds(args.GetInt("warmup", 2));
        var concurrency = args.GetInt("concurrency", 64);
        var tenantCount = args.GetInt("tenants", 200);
        var server = args.Get("postgres", "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres");
        Console.WriteLine($"client-gateway: silos {string.Join(',', sizes)}, {rounds} rounds of {duration.TotalSeconds:F0} s (+{warmUp.TotalSeconds:F0} s warm-up), {concurrency} workers, {tenantCount} tenants; load average {Rounds.LoadAverage()}");

        var tenants = Enumerable.Range(0, tenantCount).Select(i => $"gw-{i:D4}").ToArray();
        var registry = new FixedTenantRegistrySource(TenantRegistry.FromDefinitions(tenants.Select(BenchTenants.Definition)));
        await using var upstream = await OpenRouterSimulator.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(upstream.BaseUrl.ToString().TrimEnd('/') + "/") };
        var clusters = new List<(string Name, InProcessCluster Cluster, IHost Service, ScratchDatabase Database)>();
        try
        {
            foreach (var size in sizes)
            {
                var runId = $"bench_gw{size}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Guid.NewGuid().ToString("N")[..6]}";
                var database = await ScratchDatabase.CreateAsync(server, runId, maxPoolSize: 64);
                var cluster = await InProcessCluster.StartAsync(size, (services, silo) =>
                {
                    var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["OpenRouter:BaseUrl"] = upstream.BaseUrl.ToString(),
                        ["OpenRouter:ApiKey"] = "sk-or-simulated",
                    }).Build();
                    services.AddSingleton<ITenantRegistrySource>(registry);
                    services.AddLlmRouter(configuration);
                    services.AddWorkspaceMemory();
                    services.AddPostgresUsageLedger(o => o.ConnectionString = database.ConnectionString);
                    silo.AddPostgresGrainStorageAsDefault(database.ConnectionString);
                });
                clusters.Add(($"{size} silo{(size == 1 ? "" : "s")}, {size} gateway{(size == 1 ? "" : "s")}", cluster, await StartServiceAsync(cluster), database));
            }

            var results = new Rounds();
            long prompts = 0;
            for (var round = 0; round < rounds; round++)
            {
                results.Add(Upstream, await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                {
                    using var response = await http.PostAsJsonAsync("chat/completions", new { model = Model, messages = new[] { new { role = "user", content = "hi" } } });
                    return response.IsSuccessStatusCode;
                }));
                foreach (var (name, _, service, _) in clusters)
                {
                    var tenancy = service.Services.GetRequiredService<TenancyClient>();
                    results.Add(name, await LoadRunner.RunAsync(concurrency, warmUp, duration, async (worker, i) =>
                    {
                        var tenant = tenants[(int)(((worker * 7919L) + (i * 104_729L)) % tenants.Length)];
                        // A prompt of its own per call of the run: a repeated one would be answered from the response cache.
                        var answer = await tenancy.Workspace(tenant, "main").ChatAsync($"hi {Interlocked.Increment(ref prompts)}", new ChatOptions { Model = Model });
                        return !answer.Cached && answer.CostUsd > 0m;
                    }));
                }
            }

            results.Print(Upstream);
            Console.WriteLine($"load average at the end {Rounds.LoadAverage()}");
            return 0;
        }
        finally
        {
            foreach (var (_, cluster, service, database) in clusters)
            {
                await service.StopAsync();
                service.Dispose();
                await cluster.DisposeAsync();
                await database.DisposeAsync();
            }
        }
    }

    private static async Task<IHost> StartServiceAsync(InProcessCluster cluster)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.AddOrleansTenancyClient(o =>
        {
            o.ServiceId = InProcessCluster.ServiceId;
            o.ClusterId = cluster.ClusterId;
            o.Gateways = [.. cluster.Gateways];
        });
        var service = builder.Build();
        await service.StartAsync();
        return service;
    }
}
