using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Routing;
using OrleansTenancy.Grains.Tenants.Directory;
using OrleansTenancy.Grains.Tests.Infrastructure;
using OrleansTenancy.Ledger;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Storage;
using OrleansTenancy.Tenancy.Registry;
using TenantDefinition = OrleansTenancy.GrainInterfaces.TenantDefinition;
using Domain = OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Tests.Tenants;

/// <summary>
/// Two silos serving the tenant directory beside a tenants folder, each with its own router on the OpenRouter simulator,
/// as the silo host wires them.
/// </summary>
public sealed class DirectoryClusterFixture : IAsyncLifetime
{
    private readonly string _ledgerFile = Path.Combine(Path.GetTempPath(), "directory-ledger-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly string _outboxes = Path.Combine(Path.GetTempPath(), "directory-outboxes-" + Guid.NewGuid().ToString("N"));

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public TenantsFolder Tenants { get; } = new();

    public SimulatorHost Simulator { get; private set; } = null!;

    public TestClock Time { get; } = new();

    /// <summary>The silos that refuse the directory's pushes (as a silo the push did not reach).</summary>
    public DroppedPushes Drops { get; } = new();

    public async Task InitializeAsync()
    {
        Simulator = await OpenRouterSimulator.StartAsync();
        var ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = _ledgerFile });
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Simulator.ClientSettings()).Build();
        Cluster = await TestClusters.StartAsync(2, Time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(Tenants);
            silo.Services.AddTenantDirectory();
            silo.Services.AddSingleton<IUsageLedger>(ledger);
            silo.Services.AddSingleton<ISettlementOutbox>(_ => new FileSettlementOutbox(Path.Combine(_outboxes, Guid.NewGuid().ToString("N")), NullLogger<FileSettlementOutbox>.Instance));
            silo.Services.AddLlmRouter(configuration);
            silo.AddTestGrainStorage();
            silo.Services.AddSingleton(Drops);
            silo.AddIncomingGrainCallFilter<DroppedPushes.Filter>();
        });
    }

    /// <summary>The directory, reached through silo <paramref name="silo"/>'s grain factory.</summary>
    public ITenantDirectoryGrain Directory(int silo) =>
        Cluster.Silos[silo].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectory.Key);

    /// <summary>The registry silo <paramref name="silo"/> serves.</summary>
    public TenantRegistry Registry(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<ITenantRegistrySource>().Current;

    /// <summary>Silo <paramref name="silo"/>'s own router.</summary>
    public ILlmRouter Router(int silo) => Cluster.Silos[silo].ServiceProvider.GetRequiredService<ILlmRouter>();

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Simulator.DisposeAsync();
        Tenants.Dispose();
        if (System.IO.Directory.Exists(_outboxes))
        {
            System.IO.Directory.Delete(_outboxes, recursive: true);
        }

        foreach (var file in System.IO.Directory.GetFiles(Path.GetDirectoryName(_ledgerFile)!, Path.GetFileName(_ledgerFile) + "*"))
        {
            File.Delete(file);
        }
    }
}

/// <summary>Silos whose <see cref="ITenantDirectoryReplica"/> refuses every push while listed.</summary>
public sealed class DroppedPushes
{
    private readonly ConcurrentDictionary<SiloAddress, bool> _silos = new();

    /// <summary>Refuses pushes to <paramref name="silo"/> until <see cref="Restore"/>.</summary>
    public void Drop(SiloAddress silo) => _silos[silo] = true;

    /// <summary>Lets pushes reach <paramref name="silo"/> again.</summary>
    public void Restore(SiloAddress silo) => _silos.TryRemove(silo, out _);

    /// <summary>Fails a push arriving at a listed silo, as a push that timed out or found the silo starting.</summary>
    public sealed class Filter(DroppedPushes drops, ILocalSiloDetails self) : IIncomingGrainCallFilter
    {
        public Task Invoke(IIncomingGrainCallContext context) =>
            context.Grain is ITenantDirectoryReplica && drops._silos.ContainsKey(self.SiloAddress)
                ? throw new TimeoutException($"test: push to {self.SiloAddress} dropped")
                : context.Invoke();
    }
}

/// <summary>Runtime tenants: registered once for the cluster, served by every silo, never two of one id.</summary>
public sealed class TenantDirectoryTests(DirectoryClusterFixture fixture) : IClassFixture<DirectoryClusterFixture>
{
    private const string Mini = "openai/gpt-4o-mini";

    private static string NewId(string prefix = "rt") => $"{prefix}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_tenant_registered_through_one_silo_is_routed_and_billed_through_the_other()
    {
        var id = NewId();
        var registered = await fixture.Directory(0).RegisterAsync(new TenantDefinition
        {
            Id = id,
            Name = "Acme runtime",
            Workspaces = ["main", "staff"],
            Budget = new BudgetLimits { DailyCapUsd = 5m, Enforcement = Enforcement.Hard },
        });

        Assert.Equal(TenantSource.Runtime, registered.Source);
        Assert.Equal(fixture.Time.GetUtcNow(), registered.CreatedAt);

        // The registration returns once every silo serves the tenant: no wait.
        foreach (var silo in new[] { 0, 1 })
        {
            var tenant = fixture.Registry(silo).Find(id);
            Assert.NotNull(tenant);
            Assert.Equal(TenantOrigin.Runtime, tenant.Origin);
            Assert.Equal(["main", "staff"], tenant.Workspaces.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(5m, fixture.Registry(silo).GetEffectiveLimits(id).DailyCapUsd);
        }

        var answer = await fixture.Router(1).CompleteAsync(Call(id, "staff", "hello"));
        Assert.Equal(id, answer.Context.Tenant);
        var status = await fixture.Cluster.Client.GetGrain<ITenantGrain>(id).GetStatusAsync();
        var daily = status.Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal(5m, daily.Limit);
        Assert.True(daily.Spent + daily.Reserved > 0m, "the call was not billed to the runtime tenant");
    }

    [Fact]
    public async Task A_silo_that_missed_a_push_serves_the_tenant_after_its_next_version_poll()
    {
        var id = NewId();

        // The silo that does not run the directory grain: that grain applies a change to its own silo directly.
        var directory = fixture.Directory(0);
        await directory.GetVersionAsync();
        var host = await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).GetActivationAddress(directory);
        var other = fixture.Cluster.Silos[0].SiloAddress.Equals(host) ? 1 : 0;
        var missed = fixture.Cluster.Silos[other].SiloAddress;
        fixture.Drops.Drop(missed);
        try
        {
            await directory.RegisterAsync(new TenantDefinition { Id = id, Budget = new BudgetLimits { DailyCapUsd = 3m } });

            // The push did not reach that silo (the registration returned anyway), and until its poll it does not know the tenant.
            Assert.NotNull(fixture.Registry(1 - other).Find(id));
            Assert.Null(fixture.Registry(other).Find(id));
            var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => fixture.Router(other).CompleteAsync(Call(id, "main", "before the poll")));
            Assert.Equal(RouteRefusal.UnknownTenant, refused.Reason);
        }
        finally
        {
            fixture.Drops.Restore(missed);
        }

        // One poll period later it has asked for the directory's version, found it newer and fetched the tenants.
        fixture.Time.Advance(new TenantDirectoryOptions().PollPeriod);
        await Eventually.UntilAsync(() => Task.FromResult(fixture.Registry(other).Find(id) is not null), () => $"silo {other} to catch up by its poll");

        Assert.Equal(3m, fixture.Registry(other).GetEffectiveLimits(id).DailyCapUsd);
        var answer = await fixture.Router(other).CompleteAsync(Call(id, "main", "after the poll"));
        Assert.Equal(id, answer.Context.Tenant);
    }

    [Fact]
    public async Task A_runtime_tenant_with_a_hard_cap_is_refused_past_it_on_either_silo()
    {
        var id = NewId();
        await fixture.Directory(1).RegisterAsync(new TenantDefinition { Id = id, Budget = new BudgetLimits { MaxPerRequest = 0.000001m, Enforcement = Enforcement.Hard } });

        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => fixture.Router(0).CompleteAsync(Call(id, "main", "too dear")));

        Assert.Equal(RouteRefusal.BudgetDenied, refused.Reason);
    }

    [Fact]
    public async Task An_id_of_the_tenants_folder_is_refused_naming_the_id_and_its_source()
    {
        var yaml = fixture.Tenants.AddTenant("daily_cap_usd: 1\n");

        foreach (var id in new[] { yaml, "default" })
        {
            var refused = await Assert.ThrowsAsync<TenantIdInUseException>(() => fixture.Directory(0).RegisterAsync(new TenantDefinition { Id = id }));
            Assert.Equal(id, refused.TenantId);
            Assert.Equal(TenantSource.Yaml, refused.HolderSource);
            Assert.Contains($"'{id}'", refused.Message, StringComparison.Ordinal);
            Assert.Contains("tenants folder", refused.Message, StringComparison.Ordinal);
        }

        var update = await Assert.ThrowsAsync<TenantIdInUseException>(() => fixture.Directory(1).UpdateAsync(new TenantDefinition { Id = yaml }));
        Assert.Equal(TenantSource.Yaml, update.HolderSource);
        Assert.False(await fixture.Directory(0).RemoveAsync(yaml));
        Assert.Equal(TenantOrigin.Yaml, fixture.Registry(1).Find(yaml)!.Origin);
    }

    [Fact]
    public async Task A_second_registration_of_a_runtime_id_is_refused_and_the_first_stays()
    {
        var id = NewId();
        await fixture.Directory(0).RegisterAsync(new TenantDefinition { Id = id, Name = "first" });

        var refused = await Assert.ThrowsAsync<TenantIdInUseException>(() => fixture.Directory(1).RegisterAsync(new TenantDefinition { Id = id, Name = "second" }));

        Assert.Equal(TenantSource.Runtime, refused.HolderSource);
        Assert.Equal("first", (await fixture.Directory(1).GetAsync(id))!.Definition.Name);
    }

    [Fact]
    public async Task Ensure_creates_once_then_links_the_existing_tenant_unchanged_whether_runtime_or_yaml()
    {
        var id = NewId();
        var created = await fixture.Directory(0).EnsureAsync(new TenantDefinition { Id = id, Name = "one" });
        var linked = await fixture.Directory(1).EnsureAsync(new TenantDefinition { Id = id, Name = "two", Budget = new BudgetLimits { DailyCapUsd = 9m } });

        Assert.True(created.Created);
        Assert.False(linked.Created);
        Assert.Equal("one", linked.Tenant.Definition.Name);
        Assert.Null(linked.Tenant.Definition.Budget);
        Assert.Equal(created.Tenant.CreatedAt, linked.Tenant.CreatedAt);

        var yaml = fixture.Tenants.AddTenant("daily_cap_usd: 3\n");
        var folder = await fixture.Directory(0).EnsureAsync(new TenantDefinition { Id = yaml, Name = "ignored" });
        Assert.False(folder.Created);
        Assert.Equal(TenantSource.Yaml, folder.Tenant.Source);
        Assert.Equal(3m, folder.Tenant.Definition.Budget!.DailyCapUsd);
        Assert.Null(await fixture.Directory(0).GetAsync(yaml));
    }

    [Fact]
    public async Task Concurrent_ensures_of_one_id_create_exactly_one_tenant()
    {
        var id = NewId();
        var before = (await fixture.Directory(0).ListAsync()).Version;

        var ensures = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            fixture.Directory(i % 2).EnsureAsync(new TenantDefinition { Id = id, Name = $"caller {i}" })));

        var winner = Assert.Single(ensures, e => e.Created);
        Assert.All(ensures, e => Assert.Equal(winner.Tenant.Definition.Name, e.Tenant.Definition.Name));
        var list = await fixture.Directory(1).ListAsync();
        Assert.Single(list.Tenants, t => t.Definition.Id == id);
        Assert.Equal(before + 1, list.Version);
    }

    [Fact]
    public async Task Update_replaces_a_runtime_tenant_on_every_silo_and_remove_takes_it_out()
    {
        var id = NewId();
        await fixture.Directory(0).RegisterAsync(new TenantDefinition { Id = id, Budget = new BudgetLimits { DailyCapUsd = 1m } });
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        var updated = await fixture.Directory(1).UpdateAsync(new TenantDefinition { Id = id, Name = "renamed", Workspaces = ["ops"], Budget = new BudgetLimits { DailyCapUsd = 2m, InheritGlobal = false } });

        Assert.Equal("renamed", updated.Definition.Name);
        Assert.Equal(updated.CreatedAt + TimeSpan.FromMinutes(5), updated.UpdatedAt);
        foreach (var silo in new[] { 0, 1 })
        {
            Assert.Equal("renamed", fixture.Registry(silo).Find(id)!.DisplayName);
            Assert.Equal(["ops"], fixture.Registry(silo).Find(id)!.Workspaces.Keys);
            Assert.Equal(2m, fixture.Registry(silo).GetEffectiveLimits(id).DailyCapUsd);
        }

        var daily = (await fixture.Cluster.Client.GetGrain<ITenantGrain>(id).GetStatusAsync()).Limits.Single(l => l.Metric == BudgetMetric.CostUsd && l.Period == BudgetPeriod.Day);
        Assert.Equal(2m, daily.Limit);

        Assert.True(await fixture.Directory(0).RemoveAsync(id));
        Assert.False(await fixture.Directory(1).RemoveAsync(id));
        Assert.Null(fixture.Registry(0).Find(id));
        Assert.Null(fixture.Registry(1).Find(id));
        var refused = await Assert.ThrowsAsync<RouteRefusedException>(() => fixture.Router(1).CompleteAsync(Call(id, "ops", "gone")));
        Assert.Equal(RouteRefusal.UnknownTenant, refused.Reason);
        await Assert.ThrowsAsync<UnknownTenantException>(() => fixture.Directory(0).UpdateAsync(new TenantDefinition { Id = id }));
    }

    [Fact]
    public async Task An_invalid_definition_is_refused_naming_its_field_and_nothing_is_stored()
    {
        var before = await fixture.Directory(0).ListAsync();

        // Through both silos: the message starts with the field, also where Orleans does not carry ParamName across.
        foreach (var silo in new[] { 0, 1 })
        {
            var id = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Directory(silo).RegisterAsync(new TenantDefinition { Id = "Not A Slug" }));
            Assert.StartsWith("id: Tenant id 'Not A Slug' is not valid", id.Message, StringComparison.Ordinal);
            var workspace = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Directory(silo).EnsureAsync(new TenantDefinition { Id = NewId(), Workspaces = ["main", "main"] }));
            Assert.StartsWith("workspaces[1]: Workspace 'main' is listed twice", workspace.Message, StringComparison.Ordinal);
            var limits = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Directory(silo).RegisterAsync(new TenantDefinition { Id = NewId(), Budget = new BudgetLimits { DailyCapUsd = 5m, MonthlyCapUsd = 1m } }));
            Assert.StartsWith("limits: ", limits.Message, StringComparison.Ordinal);
            Assert.Contains("monthly_cap_usd", limits.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before.Version, (await fixture.Directory(1).ListAsync()).Version);
    }

    private static RouteRequest Call(string tenant, string workspace, string text) => new()
    {
        Context = new Domain.TenantContext(tenant, workspace),
        Body = new ChatCompletionRequest { Model = Mini, MaxTokens = 20, Messages = [ChatMessage.Create("user", text)] },
    };
}

/// <summary>Runtime tenants on the SQLite file of the embedded default: they survive a restart of the silo.</summary>
public sealed class TenantDirectoryRestartTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "directory-silo-" + Guid.NewGuid().ToString("N"));
    private readonly TenantsFolder _tenants = new();

    public TenantDirectoryRestartTests() => Directory.CreateDirectory(_folder);

    public void Dispose()
    {
        _tenants.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Runtime_tenants_and_the_version_survive_a_restart_and_are_served_at_start()
    {
        var time = new TestClock(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        long version;
        await using (var first = await StartSilo(time))
        {
            var directory = first.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectory.Key);
            await directory.RegisterAsync(new TenantDefinition { Id = "kept", Name = "Kept", Budget = new BudgetLimits { DailyTokens = 1000, Enforcement = Enforcement.Soft } });
            await directory.RegisterAsync(new TenantDefinition { Id = "removed" });
            Assert.True(await directory.RemoveAsync("removed"));
            version = (await directory.ListAsync()).Version;
        }

        await using var second = await StartSilo(time);

        // Served by the registry as soon as the silo is up, before anything touched the directory.
        var registry = second.Silos[0].ServiceProvider.GetRequiredService<ITenantRegistrySource>().Current;
        Assert.Equal("Kept", registry.Find("kept")!.DisplayName);
        Assert.Null(registry.Find("removed"));
        var list = await second.Client.GetGrain<ITenantDirectoryGrain>(TenantDirectory.Key).ListAsync();
        Assert.Equal(version, list.Version);
        var kept = Assert.Single(list.Tenants);
        Assert.Equal(1000, kept.Definition.Budget!.DailyTokens);
        Assert.Equal(Enforcement.Soft, kept.Definition.Budget.Enforcement);
        Assert.Equal(time.GetUtcNow(), kept.CreatedAt);
    }

    private Task<InProcessTestCluster> StartSilo(TestClock time)
    {
        var file = Path.Combine(_folder, "tenancy.db");
        return TestClusters.StartAsync(1, time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
            silo.Services.AddTenantDirectory();
            silo.AddSqliteGrainStorageAsDefault(o => o.DataSource = file);
            silo.Services.AddSqliteUsageLedger(o => o.DataSource = file);
        });
    }
}

/// <summary>Runtime tenants on PostgreSQL, the storage of a cluster: two silos, a restart of both, the tenant still served.</summary>
[RequiresPostgres]
public sealed class TenantDirectoryPostgresTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TenantsFolder _tenants = new();

    public void Dispose() => _tenants.Dispose();

    [StoreFact]
    public async Task A_tenant_registered_on_a_postgres_cluster_is_served_by_both_silos_after_they_restart()
    {
        var time = new TestClock(new DateTimeOffset(2026, 5, 4, 9, 0, 0, TimeSpan.Zero));
        await using (var first = await StartCluster(time))
        {
            await first.Silos[1].ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<ITenantDirectoryGrain>(TenantDirectory.Key)
                .RegisterAsync(new TenantDefinition { Id = "pg-runtime", Workspaces = ["main", "ops"], Budget = new BudgetLimits { MonthlyCapUsd = 12m } });
        }

        await using var second = await StartCluster(time);

        foreach (var silo in second.Silos)
        {
            var registry = silo.ServiceProvider.GetRequiredService<ITenantRegistrySource>().Current;
            Assert.Equal(12m, registry.GetEffectiveLimits("pg-runtime", "ops").MonthlyCapUsd);
        }
    }

    private Task<InProcessTestCluster> StartCluster(TestClock time) => TestClusters.StartAsync(2, time, silo =>
    {
        silo.Services.AddSingleton<ITenantRegistrySource>(_tenants);
        silo.Services.AddTenantDirectory();
        silo.AddPostgresGrainStorageAsDefault(postgres.ConnectionString);
        silo.Services.AddPostgresUsageLedger(o => o.ConnectionString = postgres.ConnectionString);
    });
}
