using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Tenants.Directory;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Grains.Workspaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Client.Tests.LlmTenants;

/// <summary>
/// An in-process Orleans TestCluster of the product grains (router, tenant, call and service grains; a real SQLite
/// usage ledger; the OpenRouter simulator upstream; a tenants folder tests add to) and a service's
/// <see cref="ILlmTenants"/> over the cluster's client, with the tenant types of these tests declared.
/// </summary>
public class LlmTenantCluster : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "llm-tenants-" + Guid.NewGuid().ToString("N"));
    private readonly bool _strict;
    private ServiceProvider? _service;

    public LlmTenantCluster()
        : this(strict: false)
    {
    }

    protected LlmTenantCluster(bool strict) => _strict = strict;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public SimulatorHost Upstream { get; private set; } = null!;

    public TenantsFolder Tenants { get; } = new();

    public ILlmTenants LlmTenants => _service!.GetRequiredService<ILlmTenants>();

    public IServiceProvider Service => _service!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        Upstream = await OpenRouterSimulator.StartAsync();
        var ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = Path.Combine(_data, "ledger.db") });
        var upstream = new ConfigurationBuilder().AddInMemoryCollection(Upstream.ClientSettings()).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = "llm-tenant-tests";
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(Tenants);
            silo.Services.AddTenantDirectory();
            silo.Services.AddSingleton<IUsageLedger>(ledger);
            silo.Services.AddSingleton<ISettlementOutbox>(_ => new FileSettlementOutbox(Path.Combine(_data, "outbox"), NullLogger<FileSettlementOutbox>.Instance));
            silo.Services.AddLlmRouter(upstream);
            silo.Services.Configure<TenancyOptions>(o => o.Strict = _strict);
            silo.Services.AddWorkspaceMemory();
            silo.AddMemoryGrainStorageAsDefault();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Cluster.Client);
        services.AddSingleton(Options.Create(new TenancyClientOptions()));
        services.AddSingleton<TenancyClient>();
        DeclareTenants(services);
        _service = services.BuildServiceProvider();
    }

    /// <summary>The tenant types and agents of the tests, as a service declares them.</summary>
    protected virtual void DeclareTenants(IServiceCollection services)
    {
        services.AddLlmTenant<Team>(t => t.Id(team => team.Slug).Name(team => team.Title).Limits(l => l.DailyCost(5m)).Enforcement(GrainInterfaces.Enforcement.Hard));
        services.AddLlmTenants();
        services.AddAgent<HelloAgent>();
        services.AddAgent<ProjectAgent>();
    }

    /// <summary>Waits until the settlement of every chat call that returned is stored.</summary>
    public Task SettledAsync() =>
        Cluster.Silos[0].ServiceProvider.GetRequiredService<BackgroundSettlements>().DrainAsync();

    public async Task DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Upstream.DisposeAsync();
        // AddTenantDirectory hands the folder to the silo's container through a factory, so the silo may have disposed it.
        if (Directory.Exists(Tenants.Path))
        {
            Tenants.Dispose();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>The cluster in strict mode: a call without a tenant is refused.</summary>
public sealed class StrictLlmTenantCluster() : LlmTenantCluster(strict: true);
