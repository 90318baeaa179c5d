using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using Orleans.Services;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>
/// Receives the tenant directory's changes on one silo: Orleans runs one instance on every silo, addressed by the silo's
/// address (<see cref="TenantDirectoryReplicaClient"/>), so the directory reaches each silo by name.
/// </summary>
[Alias("OrleansTenancy.Grains.ITenantDirectoryReplica")]
public interface ITenantDirectoryReplica : IGrainService
{
    /// <summary>Serves the runtime tenants of <paramref name="snapshot"/> on this silo, unless it serves a newer version.</summary>
    [Alias("Apply")]
    Task ApplyAsync(Wire.TenantDirectorySnapshot snapshot);
}

/// <summary>This silo's <see cref="ITenantDirectoryReplica"/>.</summary>
internal sealed class TenantDirectoryReplica(GrainId id, Orleans.Runtime.Silo silo, ILoggerFactory loggers, MergedTenantRegistrySource registry)
    : GrainService(id, silo, loggers), ITenantDirectoryReplica
{
    public Task ApplyAsync(Wire.TenantDirectorySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        registry.Apply(snapshot.Version, snapshot.ToDomain());
        return Task.CompletedTask;
    }
}

/// <summary>Reaches the <see cref="ITenantDirectoryReplica"/> of a given silo.</summary>
public sealed class TenantDirectoryReplicaClient(IServiceProvider services) : GrainServiceClient<ITenantDirectoryReplica>(services)
{
    /// <summary>The replica on <paramref name="silo"/>.</summary>
    public ITenantDirectoryReplica On(SiloAddress silo) => GetGrainService(silo);
}

/// <summary>
/// Pushes a new directory version to every active silo and waits for each (within
/// <see cref="TenantDirectoryOptions.PushTimeout"/>), so that a registration returns once every live silo routes the
/// tenant. A silo that misses a push (it was starting, or the call failed) catches up by its version poll.
/// </summary>
public sealed partial class TenantDirectoryPublisher(
    IClusterMembershipService membership,
    ILocalSiloDetails self,
    TenantDirectoryReplicaClient replicas,
    Microsoft.Extensions.Options.IOptions<TenantDirectoryOptions> options,
    ILogger<TenantDirectoryPublisher> logger)
{
    /// <summary>Sends <paramref name="snapshot"/> to every other active silo; failures are logged, never thrown.</summary>
    public Task PublishAsync(Wire.TenantDirectorySnapshot snapshot)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(self.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToList();
        return Task.WhenAll(others.Select(silo => PushAsync(silo, snapshot)));
    }

    private async Task PushAsync(SiloAddress silo, Wire.TenantDirectorySnapshot snapshot)
    {
        try
        {
            await replicas.On(silo).ApplyAsync(snapshot).WaitAsync(options.Value.PushTimeout);
        }
        catch (Exception error)
        {
            LogPushFailed(logger, snapshot.Version, silo.ToString(), error.GetType().Name, error.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant directory version {Version} did not reach silo {Silo} ({Error}: {Message}); it catches up at its next poll")]
    private static partial void LogPushFailed(ILogger logger, long version, string silo, string error, string message);
}
