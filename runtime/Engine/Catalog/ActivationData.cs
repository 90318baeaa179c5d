using Microsoft.Extensions.Logging;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.State;

namespace OrleansTenancy.Runtime.Catalog;

/// <summary>Lifecycle of one activation. Transitions only move forward.</summary>
internal enum ActivationState
{
    /// <summary>In the catalog, accepting (queueing) work; activation not started.</summary>
    Creating,

    /// <summary>Constructing the grain, reading state, running <c>OnActivateAsync</c>.</summary>
    Activating,

    /// <summary>Running turns.</summary>
    Valid,

    /// <summary>Running <c>OnDeactivateAsync</c>; new work is held and handed to the next activation.</summary>
    Deactivating,

    /// <summary>Gone from the catalog; refuses work (callers look the grain up again).</summary>
    Invalid,
}

/// <summary>
/// One activation of a grain: the instance, its mailbox (see ActivationData.Mailbox.cs), its timers and its
/// lifecycle. Implements <see cref="IGrainContext"/> for the grain.
/// </summary>
internal sealed partial class ActivationData : IGrainContext
{
    private readonly GrainCatalog _catalog;
    private readonly ActivationTaskScheduler _scheduler = new();
    private readonly List<GrainTimer> _timers = [];
    private readonly TaskCompletionSource _destroyed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActivationData(GrainCatalog catalog, GrainIdentity grainId, GrainClassDescriptor grainClass)
    {
        _catalog = catalog;
        GrainId = grainId;
        GrainClass = grainClass;
        _lastActivity = catalog.Time.GetTimestamp();
    }

    public GrainIdentity GrainId { get; }

    public GrainClassDescriptor GrainClass { get; }

    public object? GrainInstance { get; private set; }

    public IGrainFactory GrainFactory => _catalog.GrainFactory;

    public IServiceProvider ActivationServices => _catalog.Services;

    public RuntimeMetrics Metrics => _catalog.Metrics;

    public TimeProvider Time => _catalog.Time;

    public ILogger Logger => _catalog.Logger;

    /// <summary>Completes when the activation has left the catalog (after <c>OnDeactivateAsync</c> or a failed activation).</summary>
    public Task Destroyed => _destroyed.Task;

    public override string ToString() => $"[Activation {GrainId} {GrainClass.Name}]";

    public IGrainTimer RegisterGrainTimer(Func<object?, CancellationToken, Task> callback, object? state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(options);
        var timer = new GrainTimer(this, callback, state, options);
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid)
            {
                throw new InvalidOperationException($"Cannot register a timer on {GrainId}: the activation is deactivating.");
            }

            _timers.Add(timer);
        }

        timer.Start();
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    /// <summary>Runs on the activation's scheduler: construct, read state, <c>OnActivateAsync</c>, then open the mailbox.</summary>
    private async Task ActivateAsync()
    {
        lock (_lock)
        {
            _state = ActivationState.Activating;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_catalog.Options.ActivationTimeout, Time);
            var bindings = GrainClass.PersistentStates;
            var states = new object?[bindings.Count];
            var loaders = new IPersistentStateLoader[bindings.Count];
            for (var i = 0; i < bindings.Count; i++)
            {
                loaders[i] = bindings[i].Create(GrainId, _catalog.ResolveStorage(GrainClass, bindings[i]));
                states[i] = loaders[i];
            }

            GrainContextScope.Enter(this);
            try
            {
                GrainInstance = GrainClass.CreateInstance(_catalog.Services, states);
            }
            finally
            {
                GrainContextScope.Exit();
            }

            foreach (var loader in loaders)
            {
                await loader.ReadStateAsync(timeout.Token);
            }

            if (GrainInstance is Grain grain)
            {
                await grain.OnActivateAsync(timeout.Token);
            }
        }
        catch (Exception exception)
        {
            _catalog.Logger.LogWarning(exception, "Activation of {GrainId} ({GrainClass}) failed", GrainId, GrainClass.Name);
            List<WorkItem> rejected;
            lock (_lock)
            {
                _state = ActivationState.Invalid;
                rejected = [.. _queue];
                _queue.Clear();
            }

            DisposeTimers();
            _catalog.OnActivationDestroyed(this);
            foreach (var item in rejected)
            {
                item.Reject(exception);
            }

            _destroyed.TrySetResult();
            return;
        }

        Metrics.ActivationCreated(GrainClass.Name);
        OnActivated();
    }

    /// <summary>Runs on the activation's scheduler once no turn is running: <c>OnDeactivateAsync</c>, leave the catalog, hand held work on.</summary>
    private async Task DeactivateAsync(DeactivationReason reason)
    {
        DisposeTimers();
        if (GrainInstance is Grain grain)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_catalog.Options.DeactivationTimeout, Time);
                await grain.OnDeactivateAsync(reason, timeout.Token);
            }
            catch (Exception exception)
            {
                _catalog.Logger.LogWarning(exception, "OnDeactivateAsync of {GrainId} ({GrainClass}) threw; the activation is removed anyway", GrainId, GrainClass.Name);
            }
        }

        List<WorkItem> held;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            held = [.. _queue];
            _queue.Clear();
        }

        Metrics.ActivationDestroyed(GrainClass.Name);
        _catalog.OnActivationDestroyed(this);
        foreach (var item in held)
        {
            if (item is GrainRequest request)
            {
                _catalog.Redispatch(request);
            }
        }

        _destroyed.TrySetResult();
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_lock)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }
}
