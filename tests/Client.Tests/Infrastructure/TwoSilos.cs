using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Client.Tests.Infrastructure;

/// <summary>
/// Two silos in this process, each with its own TCP gateway, forming one cluster (Orleans' development membership:
/// the first silo holds the table, so it is the second that may die). They host the product grains on one PostgreSQL
/// database — grain state and usage ledger — as silos of a deployment do, with the OpenRouter simulator upstream and
/// tenants <c>t1</c> to <c>t6</c> (workspace <c>main</c>).
/// </summary>
/// <remarks>
/// Membership probes are quick (1 s, two missed) so that the survivor declares a dead silo within seconds; the
/// multi-process fault tests measure the product's own settings.
/// </remarks>
public sealed class TwoSilos : IAsyncDisposable
{
    public const string ServiceId = "orleans-tenancy-client-tests";

    private readonly TempTenants _tenants = new();
    private readonly IHost?[] _silos = new IHost?[2];

    private TwoSilos(SimulatorHost upstream) => Upstream = upstream;

    public string ClusterId { get; } = "client-tests-" + Guid.NewGuid().ToString("N")[..8];

    public static IReadOnlyList<string> Tenants { get; } = [.. Enumerable.Range(1, 6).Select(i => $"t{i}")];

    public SimulatorHost Upstream { get; }

    /// <summary>The gateway of each silo, <c>127.0.0.1:port</c>.</summary>
    public string[] Gateways { get; } = new string[2];

    /// <summary>The address of each silo, as <see cref="ISiloProbeGrain"/> reports it.</summary>
    public string[] Addresses { get; } = new string[2];

    public static async Task<TwoSilos> StartAsync(string postgres)
    {
        var cluster = new TwoSilos(await OpenRouterSimulator.StartAsync());
        foreach (var tenant in Tenants)
        {
            cluster._tenants
                .Write($"{tenant}/tenant.yaml", "timezone: UTC\nworkspaces:\n  main:\n")
                .Write($"{tenant}/routing.yaml", "models:\n  default: openai/gpt-4o-mini\n")
                .Write($"{tenant}/budgets.yaml", "daily_cap_usd: 5\nmonthly_cap_usd: 50\nenforcement: hard\n");
        }

        var registry = new FixedTenantRegistrySource(cluster._tenants.Load());
        var ports = FreePorts.Take(4);
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        for (var i = 0; i < 2; i++)
        {
            // One after the other: the first applies the database scripts, and holds the membership table.
            // Each silo's settlement outbox lives in the test's temporary folder, removed with it (the registry is read already).
            var outbox = cluster._tenants.PathOf($".settlements-{i}");
            cluster._silos[i] = await StartSiloAsync(ports[2 * i], ports[(2 * i) + 1], primary, cluster.ClusterId, postgres, registry, cluster.Upstream, outbox);
            cluster.Gateways[i] = $"127.0.0.1:{ports[(2 * i) + 1]}";
            cluster.Addresses[i] = cluster._silos[i]!.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString();
        }

        return cluster;
    }

    /// <summary>Stops silo <paramref name="index"/> without a graceful shutdown: its grains are not handed over.</summary>
    public async Task KillAsync(int index)
    {
        var silo = _silos[index] ?? throw new InvalidOperationException($"Silo {index} is not running.");
        _silos[index] = null;
        await silo.StopAsync(new CancellationToken(canceled: true));
        silo.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _silos.Length - 1; i >= 0; i--)
        {
            if (_silos[i] is { } silo)
            {
                // Nothing is left to hand over at the end of a test: no graceful deactivation.
                await silo.StopAsync(new CancellationToken(canceled: true));
                silo.Dispose();
            }
        }

        await Upstream.DisposeAsync();
        _tenants.Dispose();
    }

    private static async Task<IHost> StartSiloAsync(
        int siloPort, int gatewayPort, IPEndPoint primary, string clusterId, string postgres, ITenantRegistrySource registry, SimulatorHost upstream, string outboxFolder)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(upstream.ClientSettings());
        builder.Services.AddSingleton(registry);
        builder.Services.AddPostgresUsageLedger(o => o.ConnectionString = postgres);
        builder.Services.AddLlmRouter(builder.Configuration);
        // The router keeps a settlement it cannot store in the silo's outbox, which the host provides (one per silo).
        builder.Services.AddSingleton<ISettlementOutbox>(sp => new FileSettlementOutbox(outboxFolder, sp.GetRequiredService<ILogger<FileSettlementOutbox>>()));
        builder.Services.AddWorkspaceMemory();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, primary, ServiceId, clusterId);
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
            });
            silo.AddPostgresGrainStorageAsDefault(postgres);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
