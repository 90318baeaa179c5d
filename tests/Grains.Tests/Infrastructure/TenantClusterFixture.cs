using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos hosting the product grains over Orleans' memory storage (behind <see cref="StorageControl"/>), a real
/// SQLite usage ledger, a temporary tenants folder and a test clock. Tests create their own tenants.
/// </summary>
public class TenantClusterFixture : IAsyncLifetime
{
    private readonly string _ledgerFile = Path.Combine(Path.GetTempPath(), "ledger-" + Guid.NewGuid().ToString("N") + ".db");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public TenantsFolder Tenants { get; } = new();

    public StorageControl Storage { get; } = new();

    /// <summary>The usage ledger (real SQLite), with gates that hold one tenant's writes or totals queries.</summary>
    public ControllableLedger Ledger { get; private set; } = null!;

    public TestClock Time { get; } = new();

    public async Task InitializeAsync()
    {
        Ledger = new ControllableLedger(new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = _ledgerFile }));
        Cluster = await TestClusters.StartAsync(2, Time, silo =>
        {
            silo.Services.AddSingleton<ITenantRegistrySource>(Tenants);
            silo.Services.AddSingleton<IUsageLedger>(Ledger);
            silo.AddTestGrainStorage(Storage);
        });
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Ledger.Dispose();
        Tenants.Dispose();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_ledgerFile)!, Path.GetFileName(_ledgerFile) + "*"))
        {
            File.Delete(file);
        }
    }
}
