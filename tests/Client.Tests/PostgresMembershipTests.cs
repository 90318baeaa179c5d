using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Messaging;
using OrleansTenancy.Cluster.TestSupport;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Client.Tests;

/// <summary>
/// A service on PostgreSQL membership (<see cref="TenancyClientMembership.Postgres"/>) beside silo processes started
/// by <c>deploy/local/cluster.sh</c> with <c>CLUSTER_MEMBERSHIP=postgres</c>: the client is given no gateway address,
/// only the silos' database, and finds every gateway in their membership table.
/// </summary>
[RequiresPostgres]
public sealed class PostgresMembershipTests : IAsyncLifetime
{
    private const string Tenant = "load-01";

    // A bound on each step, not a wait: a silo that never comes back or a call that never returns fails the test.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly LoadTenants _tenants = LoadTenants.Write(2, cappedEvery: 0);
    private SimulatorHost _upstream = null!;

    [StoreFact]
    public async Task The_client_finds_the_gateways_in_the_table_and_after_its_silo_is_killed_reconnects_to_one_it_learnt_there()
    {
        await using var cluster = LocalCluster.Create(new ClusterSettings(
            "postgres", Path.Combine(AppContext.BaseDirectory, "OrleansTenancy.Silo.dll"), _tenants.Folder, _upstream.BaseUrl));
        await cluster.StartAsync(1);
        using var service = await StartServiceAsync(cluster.PostgresConnectionString);
        var tenancy = service.Services.GetRequiredService<TenancyClient>();
        var workspace = tenancy.Workspace(Tenant, "main");

        // Silo 1's gateway, read from the table: the only way this client knows of any silo.
        var listed = await service.Services.GetRequiredService<IGatewayListProvider>().GetGateways();
        Assert.Equal([cluster.GatewayPort(1)], listed.Select(g => g.Port));
        var before = await workspace.ChatAsync("Hello from silo 1").WaitAsync(Patience);
        Assert.True(before.CostUsd > 0m);

        // Silo 2 joins; silo 1, whose gateway the client is connected to and which hosts the tenant's grain, is killed.
        await cluster.StartAsync(2);
        await cluster.KillAsync(1);

        // A budget read (idempotent, so retried while the survivor declares silo 1 dead and reactivates the grain)
        // and a new chat call go through silo 2's gateway, known to the client from the table alone.
        var executions = await ExecutionsTodayAsync(workspace.Tenant).WaitAsync(Patience);
        var after = await workspace.ChatAsync("Hello from silo 2").WaitAsync(Patience);
        Assert.True(after.CostUsd > 0m);
        Assert.Equal(1m, executions); // the call answered by the killed silo was kept, once
        Assert.Equal(2m, await ExecutionsTodayAsync(workspace.Tenant).WaitAsync(Patience));
        listed = await service.Services.GetRequiredService<IGatewayListProvider>().GetGateways();
        Assert.Contains(cluster.GatewayPort(2), listed.Select(g => g.Port));
    }

    public async Task InitializeAsync() => _upstream = await OpenRouterSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        await _upstream.DisposeAsync();
        _tenants.Dispose();
    }

    private static async Task<decimal> ExecutionsTodayAsync(TenantClient tenant)
    {
        var status = await tenant.GetBudgetStatusAsync();
        return status.Limits.Single(l => l.Workspace is null && l.Metric == BudgetMetric.Executions && l.Period == BudgetPeriod.Day).Spent;
    }

    private static async Task<IHost> StartServiceAsync(string postgres)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.AddOrleansTenancyClient(o =>
        {
            o.Membership = TenancyClientMembership.Postgres;
            o.PostgresConnectionString = postgres;
            o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1);
            o.ResponseTimeout = TimeSpan.FromSeconds(5);
            o.RetryAttempts = 10;
            o.RetryDelay = TimeSpan.FromMilliseconds(100);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
