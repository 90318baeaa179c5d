using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace OrleansTenancy.Storage;

/// <summary>
/// Puts the grain type into the state name a provider sees: <c>budget</c> of a <c>tenant</c> grain becomes
/// <c>tenant/budget</c>.
/// </summary>
/// <remarks>
/// Orleans' AdoNet provider identifies a record by service id, state name and grain key only: for a string key the grain
/// type reaches the database nowhere. Two grain types with the same key and state name would then share one record (and
/// overwrite each other's state). Scoping the name by type makes the stored identity (service id, grain type, grain key,
/// state name), which <c>deploy/sql</c> keeps as the primary key. A grain type never contains '/', so the combined name
/// is unambiguous.
/// </remarks>
internal sealed class GrainTypeScopedStorage(IGrainStorage inner) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(Scoped(stateName, grainId), grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(Scoped(stateName, grainId), grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(Scoped(stateName, grainId), grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.WriteStateAsync(Scoped(stateName, grainId), grainId, grainState, cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(Scoped(stateName, grainId), grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ClearStateAsync(Scoped(stateName, grainId), grainId, grainState, cancellationToken);

    // The provider opens its store in the silo lifecycle; registration resolves the lifecycle participant through the
    // keyed storage service, which is this wrapper.
    public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    private static string Scoped(string stateName, GrainId grainId) => $"{grainId.Type}/{stateName}";
}
