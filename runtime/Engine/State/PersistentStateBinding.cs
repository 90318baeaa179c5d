using System.Reflection;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.State;

/// <summary>A grain constructor parameter bound to a named state in a named storage provider.</summary>
public sealed class PersistentStateBinding
{
    private readonly Func<string, GrainIdentity, IGrainStorage, IPersistentStateLoader> _create;

    internal PersistentStateBinding(Type grainClass, ParameterInfo parameter, PersistentStateAttribute attribute, Type stateType)
    {
        if (stateType.IsValueType || stateType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new InvalidOperationException(
                $"Grain class {grainClass.FullName} parameter '{parameter.Name}': state type {stateType.FullName} must be a class with a public parameterless constructor.");
        }

        ParameterName = parameter.Name ?? "?";
        StateName = attribute.StateName;
        StorageName = attribute.StorageName;
        StateType = stateType;
        ParameterType = parameter.ParameterType;
        _create = typeof(PersistentStateBinding).GetMethod(nameof(CreateTyped), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(stateType)
            .CreateDelegate<Func<string, GrainIdentity, IGrainStorage, IPersistentStateLoader>>();
    }

    /// <summary>The constructor parameter name.</summary>
    public string ParameterName { get; }

    /// <summary>The state name given in the attribute.</summary>
    public string StateName { get; }

    /// <summary>The provider name given in the attribute, or null for the default provider.</summary>
    public string? StorageName { get; }

    /// <summary>The state type.</summary>
    public Type StateType { get; }

    /// <summary>The parameter type, <c>IPersistentState&lt;StateType&gt;</c>.</summary>
    public Type ParameterType { get; }

    internal IPersistentStateLoader Create(GrainIdentity grainId, IGrainStorage storage) => _create(StateName, grainId, storage);

    private static PersistentState<T> CreateTyped<T>(string stateName, GrainIdentity grainId, IGrainStorage storage)
        where T : class, new() => new PersistentState<T>(stateName, grainId, storage);
}
