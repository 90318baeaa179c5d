using Orleans.Runtime;

namespace OrleansTenancy.Storage;

/// <summary>
/// The identity of one stored grain state: service id, grain type, grain key and state name. The SQLite and batched
/// PostgreSQL providers keep it as their primary key, so two first writes of one grain state cannot both insert.
/// </summary>
internal readonly record struct GrainStorageKey(string ServiceId, string GrainType, string GrainKey, string StateName)
{
    public static GrainStorageKey Create(string serviceId, string stateName, GrainId grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        if (grainId.IsDefault)
        {
            throw new ArgumentException("The grain id is the default (empty) id.", nameof(grainId));
        }

        return new GrainStorageKey(serviceId, grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);
    }

    public override string ToString() => $"state '{StateName}' of grain {GrainType}/{GrainKey} (service '{ServiceId}')";
}

/// <summary>A stored record as a provider reads it: the state's JSON text and its ETag.</summary>
internal sealed record StoredRecord(string Json, string ETag);
