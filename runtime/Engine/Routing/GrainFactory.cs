using System.Collections.Concurrent;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.Proxies;

namespace OrleansTenancy.Runtime.Routing;

/// <summary>Creates typed references whose calls go through <paramref name="invoker"/> (a silo or a client).</summary>
internal sealed class GrainFactory(GrainTypeRegistry registry, IGrainCallInvoker invoker) : IGrainFactory
{
    private readonly ConcurrentDictionary<Type, GrainReferenceBinding> _bindings = new();

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(primaryKey);
        var binding = _bindings.GetOrAdd(
            typeof(TGrainInterface),
            static (type, state) => new GrainReferenceBinding(state.invoker, state.registry.GetInterface(type)),
            (invoker, registry));
        return (TGrainInterface)(object)registry.Proxies.Create(binding, primaryKey);
    }
}
