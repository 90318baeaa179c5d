using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.State;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Catalog;

/*
 * The catalog: the activations of one silo, by grain identity.
 *
 * Invariant: for a grain that is not a stateless worker, this silo holds at most one activation per
 * identity. Creation goes through ConcurrentDictionary.GetOrAdd with a not-yet-started activation, so of
 * two racing first calls exactly one creates it; the loser queues into the winner. An activation leaves
 * the dictionary only after it is Invalid (OnDeactivateAsync done); a caller that still holds the old
 * entry gets Enqueue == false, removes that exact entry (TryRemove with the value) and retries. Work that
 * reaches an activation while it deactivates is held and re-dispatched afterwards, so the next activation
 * starts only once the previous one has persisted and gone.
 *
 * Across silos the invariant rests on placement (one owner per identity for a given membership view);
 * during view changes two silos may briefly each hold an activation. That cannot lose an update: every
 * state write is an ETag compare-and-swap, and an InconsistentStateException deactivates the activation
 * that lost, so its next call re-reads the winner's state.
 *
 * Failure modes: activation failure rejects the queued calls with the exception and removes the entry;
 * a deactivation that throws is logged and the activation is removed anyway; on silo stop every
 * activation is deactivated (OnDeactivateAsync runs) and new calls are refused with SiloUnavailableException.
 */
internal sealed class GrainCatalog
{
    private readonly ConcurrentDictionary<GrainIdentity, ActivationData> _activations = new();
    private readonly ConcurrentDictionary<GrainIdentity, StatelessWorkerGroup> _workers = new();
    private ITimer? _collector;
    private volatile bool _stopping;

    public GrainCatalog(GrainRuntimeOptions options, TimeProvider time, IServiceProvider services, RuntimeMetrics metrics, ILogger logger)
    {
        Options = options;
        Time = time;
        Services = services;
        Metrics = metrics;
        Logger = logger;
    }

    public GrainRuntimeOptions Options { get; }

    public TimeProvider Time { get; }

    public IServiceProvider Services { get; }

    public RuntimeMetrics Metrics { get; }

    public ILogger Logger { get; }

    /// <summary>The silo's factory, handed to grains. Set by the silo before the first call.</summary>
    public IGrainFactory GrainFactory { get; set; } = null!;

    /// <summary>Routes a request again (after the activation it waited in went away). Set by the silo.</summary>
    public Action<GrainRequest> Redispatcher { get; set; } = null!;

    /// <summary>The number of live activations (including stateless workers).</summary>
    public int ActivationCount => _activations.Count + _workers.Values.Sum(w => w.Count);

    public void Start() =>
        _collector = Time.CreateTimer(static s => ((GrainCatalog)s!).CollectIdle(), this, Options.CollectionQuantum, Options.CollectionQuantum);

    /// <summary>Queues a request to the local activation of its grain, creating the activation if needed.</summary>
    public void Dispatch(GrainRequest request)
    {
        if (_stopping)
        {
            request.Reject(new SiloUnavailableException($"The silo is shutting down; {request.Method.DisplayName} on {request.Target} was not delivered."));
            return;
        }

        var grainClass = request.Method.Interface.Implementation;
        if (grainClass is null)
        {
            request.Reject(new InvalidOperationException($"No grain class implementing {request.Method.Interface.GrainType} is registered on this silo; register it with AddGrains(assembly)."));
            return;
        }

        if (grainClass.IsStatelessWorker)
        {
            var max = grainClass.MaxLocalWorkers > 0 ? Math.Min(grainClass.MaxLocalWorkers, Options.MaxStatelessWorkersPerSilo) : Options.MaxStatelessWorkersPerSilo;
            _workers.GetOrAdd(request.Target, static (id, state) => new StatelessWorkerGroup(state.Catalog, id, state.Class, state.Max), (Catalog: this, Class: grainClass, Max: max))
                .Dispatch(request);
            return;
        }

        while (true)
        {
            if (!_activations.TryGetValue(request.Target, out var activation))
            {
                var created = new ActivationData(this, request.Target, grainClass);
                activation = _activations.GetOrAdd(request.Target, created);
                if (ReferenceEquals(activation, created))
                {
                    created.Enqueue(request);
                    created.StartActivation();
                    return;
                }
            }

            if (activation.Enqueue(request))
            {
                return;
            }

            _activations.TryRemove(KeyValuePair.Create(request.Target, activation));
        }
    }

    public void Redispatch(GrainRequest request) => Redispatcher(request);

    public void OnActivationDestroyed(ActivationData activation)
    {
        if (activation.GrainClass.IsStatelessWorker)
        {
            if (_workers.TryGetValue(activation.GrainId, out var group))
            {
                group.Remove(activation);
            }

            return;
        }

        _activations.TryRemove(KeyValuePair.Create(activation.GrainId, activation));
    }

    public IGrainStorage ResolveStorage(GrainClassDescriptor grainClass, PersistentStateBinding binding)
    {
        var name = binding.StorageName ?? Options.DefaultStorageName;
        return Services.GetKeyedService<IGrainStorage>(name)
            ?? throw new InvalidOperationException(
                $"Grain class {grainClass.ClassType.FullName} parameter '{binding.ParameterName}' uses grain storage '{name}', which is not registered. "
                + $"Register it with AddGrainStorage(\"{name}\", ...) on the grain runtime builder.");
    }

    /// <summary>Deactivates every activation whose identity matches (used when placement moved grains away).</summary>
    public void DeactivateWhere(Func<GrainIdentity, bool> predicate, DeactivationReason reason)
    {
        foreach (var activation in _activations.Values)
        {
            if (predicate(activation.GrainId))
            {
                activation.Deactivate(reason);
            }
        }
    }

    /// <summary>Refuses new work and deactivates every activation, waiting for their <c>OnDeactivateAsync</c>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _collector?.Dispose();
        var all = _activations.Values.Concat(_workers.Values.SelectMany(w => w.Snapshot())).ToList();
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is stopping.");
        foreach (var activation in all)
        {
            activation.Deactivate(reason);
        }

        await Task.WhenAll(all.Select(a => a.Destroyed)).WaitAsync(cancellationToken);
    }

    private void CollectIdle()
    {
        var age = Options.CollectionAge;
        foreach (var activation in _activations.Values)
        {
            activation.TryCollectIdle(age);
        }

        foreach (var group in _workers.Values)
        {
            foreach (var activation in group.Snapshot())
            {
                activation.TryCollectIdle(age);
            }
        }
    }
}
