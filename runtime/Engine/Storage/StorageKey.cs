namespace OrleansTenancy.Runtime.Storage;

/// <summary>The unique key of one stored grain state: service id, grain type, grain key and state name.</summary>
internal readonly record struct StorageKey(string ServiceId, string GrainType, string GrainKey, string StateName)
{
    public static StorageKey Create(string serviceId, string stateName, GrainIdentity grainId)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateName);
        ArgumentException.ThrowIfNullOrEmpty(grainId.Type, nameof(grainId));
        ArgumentNullException.ThrowIfNull(grainId.Key, nameof(grainId));
        return new StorageKey(serviceId, grainId.Type, grainId.Key, stateName);
    }

    public override string ToString() => $"state '{StateName}' of grain {GrainType}/{GrainKey} (service '{ServiceId}')";
}

/// <summary>A stored record as a provider reads it: the serialized state and its ETag.</summary>
internal sealed record StoredRecord(string Payload, string ETag);
