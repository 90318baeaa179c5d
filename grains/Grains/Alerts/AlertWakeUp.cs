using Microsoft.Extensions.Logging;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Alerts;

/// <summary>
/// Once the silo is active, wakes every tenant on the <see cref="Wire.IAlertWakeListGrain"/> (in the background: the
/// start does not wait for it): its activation reads the alerts it stored and arms the delivery timer a restart ended,
/// with no call to the tenant needed. Each silo of a cluster does this as it starts; a tenant already active elsewhere is
/// only called once more.
/// </summary>
public sealed partial class AlertWakeUp(IGrainFactory grains, ILogger<AlertWakeUp> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _waking = Task.CompletedTask;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(AlertWakeUp), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    /// <summary>Wakes the listed tenants; returns how many answered. Failures are logged, never thrown.</summary>
    /// <param name="cancellationToken">Stops waiting for the list.</param>
    public async Task<int> WakeAsync(CancellationToken cancellationToken)
    {
        var list = grains.GetGrain<Wire.IAlertWakeListGrain>(Wire.AlertWakeList.Key);
        IReadOnlyList<string> tenants;
        try
        {
            tenants = await list.ListAsync().WaitAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogListFailed(logger, error.GetType().Name, error.Message);
            return 0;
        }

        var woken = await Task.WhenAll(tenants.Select(WakeAsync));
        if (tenants.Count > 0)
        {
            LogWoken(logger, woken.Count(w => w), tenants.Count);
        }

        return woken.Count(w => w);
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    // Behind the start, not part of it: a slow storage read or a tenant on a silo that just died must not hold the
    // silo out of service.
    private Task StartAsync(CancellationToken cancellationToken)
    {
        _waking = WakeAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _waking.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task<bool> WakeAsync(string tenant)
    {
        try
        {
            await grains.GetGrain<Wire.ITenantGrain>(tenant).GetAlertsAsync();
            return true;
        }
        catch (Exception error)
        {
            LogWakeFailed(logger, tenant, error.GetType().Name, error.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Budget alerts: woke {Woken} of {Listed} tenant(s) with deliveries pending")]
    private static partial void LogWoken(ILogger logger, int woken, int listed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alerts: the list of tenants with deliveries pending could not be read ({Error}: {Message}); each resumes when it is next called")]
    private static partial void LogListFailed(ILogger logger, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alerts: tenant {Tenant} could not be woken ({Error}: {Message}); its deliveries resume when it is next called")]
    private static partial void LogWakeFailed(ILogger logger, string tenant, string error, string message);
}
