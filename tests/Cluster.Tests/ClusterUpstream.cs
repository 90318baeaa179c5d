using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Cluster.Tests;

/// <summary>
/// What every cluster of the fault tests shares: the OpenRouter simulator as upstream (in this process, which no test
/// kills) and a tenants folder of many tenants, some with small hard caps. Each cluster has servers and a database of
/// its own, so every test starts with fresh budgets.
/// </summary>
public sealed class ClusterUpstream : IAsyncLifetime
{
    /// <summary>The silo build under test, copied beside the tests.</summary>
    public static string SiloDll => Path.Combine(AppContext.BaseDirectory, "OrleansTenancy.Silo.dll");

    public SimulatorHost Simulator { get; private set; } = null!;

    public LoadTenants Tenants { get; } = LoadTenants.Write(24);

    public async Task InitializeAsync() => Simulator = await OpenRouterSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        await Simulator.DisposeAsync();
        Tenants.Dispose();
    }

    /// <summary>A cluster of <paramref name="membership"/> calling this upstream with these tenants.</summary>
    public LocalCluster Cluster(string membership) =>
        LocalCluster.Create(new ClusterSettings(membership, SiloDll, Tenants.Folder, Simulator.BaseUrl));
}
