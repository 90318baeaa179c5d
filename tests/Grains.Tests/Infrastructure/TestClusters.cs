using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansTenancy.Storage;

namespace OrleansTenancy.Grains.Tests.Infrastructure;

/// <summary>In-process Orleans clusters (TestingHost) hosting the product grains, as the grain tests use them.</summary>
public static class TestClusters
{
    /// <summary>The name under which each silo's real (memory) storage is registered behind the storage the grains use.</summary>
    public const string InnerStorage = "Inner";

    /// <summary>
    /// The service id of every test cluster. Stored grain state is keyed by it, so a cluster started again on the same
    /// files finds what the one before it stored, as a restarted deployment does.
    /// </summary>
    public const string ServiceId = "orleans-tenancy-tests";

    /// <summary>
    /// Starts <paramref name="silos"/> silos with the product grains and the Orleans client. <paramref name="clock"/>
    /// drives grain timers and the product's code; Orleans' own messaging, membership and maintenance clocks stay on
    /// real time, so advancing the test clock never fires a response timeout or a membership probe.
    /// </summary>
    public static async Task<InProcessTestCluster> StartAsync(int silos, TimeProvider clock, Action<ISiloBuilder> configure)
    {
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.Options.ServiceId = ServiceId;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(clock);
            foreach (var area in RealTimeAreas)
            {
                silo.Services.AddKeyedSingleton(area, TimeProvider.System);
            }

            // Orleans' memory storage serializes state as the product's providers do.
            silo.Services.AddSingleton<IGrainStorageSerializer>(JsonGrainStateSerializer.Default);
            configure(silo);
        });
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Registers Orleans' memory storage as the default provider, behind <paramref name="control"/>'s levers when one is
    /// given.
    /// </summary>
    public static ISiloBuilder AddTestGrainStorage(this ISiloBuilder silo, StorageControl? control = null)
    {
        if (control is null)
        {
            return silo.AddMemoryGrainStorageAsDefault();
        }

        silo.AddMemoryGrainStorage(InnerStorage);
        silo.Services.AddGrainStorage("Default", (services, _) => new ControllableStorage(services.GetRequiredKeyedService<IGrainStorage>(InnerStorage), control));
        return silo;
    }

    /// <summary>The Orleans areas whose clocks stay on real time in tests (all but grains).</summary>
    private static readonly string[] RealTimeAreas =
    [
        Orleans.Runtime.TimeProviderNames.Messaging,
        Orleans.Runtime.TimeProviderNames.SystemTimers,
        Orleans.Runtime.TimeProviderNames.Membership,
        Orleans.Runtime.TimeProviderNames.ActivationManagement,
        Orleans.Runtime.TimeProviderNames.GrainDirectory,
    ];
}
