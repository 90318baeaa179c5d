namespace OrleansTenancy.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime constructs grains (through dependency injection) and
/// drives their lifecycle; code never calls the constructor directly.
/// </summary>
public abstract class Grain
{
    /// <summary>Binds the grain to the activation the runtime is constructing it for.</summary>
    /// <exception cref="InvalidOperationException">The grain is constructed outside the runtime.</exception>
    protected Grain()
    {
        GrainContext = GrainContextScope.Current
            ?? throw new InvalidOperationException(
                $"{GetType().FullName} was constructed outside the grain runtime. Obtain grains through IGrainFactory.GetGrain<T>(key).");
    }

    /// <summary>The activation this grain instance lives in.</summary>
    public IGrainContext GrainContext { get; }

    /// <summary>The identity of this grain.</summary>
    public GrainIdentity GrainId => GrainContext.GrainId;

    /// <summary>A factory for references to other grains.</summary>
    protected IGrainFactory GrainFactory => GrainContext.GrainFactory;

    /// <summary>Returns the string key of this grain.</summary>
    public string GetPrimaryKeyString() => GrainContext.GrainId.Key;

    /// <summary>Runs once per activation, after persistent state was read and before the first call.</summary>
    /// <param name="cancellationToken">Cancelled when activation takes longer than the runtime allows.</param>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once when the activation is deactivated (idle, requested, shutting down or after a state conflict).</summary>
    /// <param name="reason">Why the activation is deactivated.</param>
    /// <param name="cancellationToken">Cancelled when deactivation takes longer than the runtime allows.</param>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation after the current call; the next call creates a fresh activation.</summary>
    protected void DeactivateOnIdle() =>
        GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>Registers a timer whose ticks run as turns of this activation.</summary>
    /// <param name="callback">Runs on each tick; receives a token cancelled when the timer is disposed or the activation deactivates.</param>
    /// <param name="dueTime">Time until the first tick.</param>
    /// <param name="period">Time between the end of one tick and the next; <see cref="Timeout.InfiniteTimeSpan"/> for a single tick.</param>
    /// <returns>A handle; dispose it to stop the timer.</returns>
    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return GrainContext.RegisterGrainTimer(
            static (state, ct) => ((Func<CancellationToken, Task>)state!)(ct),
            callback,
            new GrainTimerCreationOptions { DueTime = dueTime, Period = period });
    }

    /// <summary>Registers a timer with a state value and explicit options.</summary>
    /// <typeparam name="TState">The type of the state passed to each tick.</typeparam>
    /// <param name="callback">Runs on each tick.</param>
    /// <param name="state">Passed to each tick.</param>
    /// <param name="options">Due time, period, interleaving and keep-alive behaviour.</param>
    /// <returns>A handle; dispose it to stop the timer.</returns>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(options);
        return GrainContext.RegisterGrainTimer((_, ct) => callback(state, ct), null, options);
    }
}
