using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Ledger;
using OrleansTenancy.Runtime.Storage;
using OrleansTenancy.Runtime.Testing;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>
/// Two silos hosting the product grains over in-memory grain storage (behind <see cref="ControllableStorage"/>), a
/// real SQLite usage ledger, a temporary tenants folder and a manual clock. Tests create their own tenants.
/// </summary>
public class TenantClusterFixture : IAsyncLifetime
{
    private readonly string _ledgerFile = Path.Combine(Path.GetTempPath(), "ledger-" + Guid.NewGuid().ToString("N") + ".db");

    public TestCluster Cluster { get; private set; } = null!;

    public TenantsFolder Tenants { get; } = new();

    public ControllableStorage Storage { get; } = new(new MemoryGrainStorage("Default"));

    public IUsageLedger Ledger { get; private set; } = null!;

    public ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        Ledger = new SqliteUsageLedger(new SqliteLedgerOptions { DataSource = _ledgerFile });
        Cluster = await TestClusterBuilder.Create()
            .WithSilos(2)
            .WithTimeProvider(Time)
            .AddGrainsFrom(typeof(TenantGrain).Assembly)
            .ConfigureServices(services =>
            {
                services.AddSingleton<ITenantRegistrySource>(Tenants);
                services.AddSingleton(Ledger);
            })
            .ConfigureRuntime(r => r.AddGrainStorage("Default", _ => Storage))
            .BuildAndStartAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        (Ledger as IDisposable)?.Dispose();
        Tenants.Dispose();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(_ledgerFile)!, Path.GetFileName(_ledgerFile) + "*"))
        {
            File.Delete(file);
        }
    }
}
