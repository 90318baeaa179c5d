using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>
/// Loads the runtime tenants when the silo becomes active (waiting up to <see cref="TenantDirectoryOptions.StartTimeout"/>)
/// and then polls the directory's version every <see cref="TenantDirectoryOptions.PollPeriod"/>, fetching the tenants
/// when it grew: what a silo missed of the directory's pushes, it has within one period.
/// </summary>
public sealed partial class TenantDirectorySync(
    IGrainFactory grains,
    MergedTenantRegistrySource registry,
    IOptions<TenantDirectoryOptions> options,
    TimeProvider time,
    ILogger<TenantDirectorySync> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _polling = Task.CompletedTask;

    private Wire.ITenantDirectoryGrain Directory => grains.GetGrain<Wire.ITenantDirectoryGrain>(Wire.TenantDirectory.Key);

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(TenantDirectorySync), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>Fetches the directory when its version is newer than the one served; returns whether it was.</summary>
    public async Task<bool> RefreshAsync()
    {
        if (await Directory.GetVersionAsync() <= registry.Version)
        {
            return false;
        }

        var snapshot = await Directory.ListAsync();
        return registry.Apply(snapshot.Version, snapshot.ToDomain());
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync().WaitAsync(options.Value.StartTimeout, cancellationToken);
            LogLoaded(logger, registry.Version, registry.Current.Tenants.Count(t => t.Origin == TenantOrigin.Runtime), options.Value.ToString());
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(logger, error.GetType().Name, error.Message);
        }

        _polling = PollAsync(_stopping.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _polling.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task PollAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.PollPeriod, time, stopping);
                if (await RefreshAsync())
                {
                    LogCaughtUp(logger, registry.Version);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                LogRefreshFailed(logger, error.GetType().Name, error.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant directory version {Version}: {Tenants} runtime tenant(s) served ({Settings})")]
    private static partial void LogLoaded(ILogger logger, long version, int tenants, string settings);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant directory: caught up to version {Version} by poll")]
    private static partial void LogCaughtUp(ILogger logger, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant directory could not be read ({Error}: {Message}); runtime tenants stay as they were until the next poll")]
    private static partial void LogRefreshFailed(ILogger logger, string error, string message);
}
