using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Runtime.State;

namespace OrleansTenancy.Runtime.Metadata;

/// <summary>A grain class: how to construct it and how the runtime schedules its calls.</summary>
public sealed class GrainClassDescriptor
{
    private readonly ObjectFactory _factory;

    internal GrainClassDescriptor(Type grainClass)
    {
        ClassType = grainClass;
        Name = grainClass.Name;
        IsReentrant = grainClass.IsDefined(typeof(ReentrantAttribute), inherit: true);
        var worker = grainClass.GetCustomAttribute<StatelessWorkerAttribute>(inherit: true);
        IsStatelessWorker = worker is not null;
        MaxLocalWorkers = worker?.MaxLocalWorkers ?? 0;

        var constructors = grainClass.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length != 1)
        {
            throw new InvalidOperationException($"Grain class {grainClass.FullName} must have exactly one public constructor (it has {constructors.Length}).");
        }

        var states = new List<PersistentStateBinding>();
        foreach (var parameter in constructors[0].GetParameters())
        {
            var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
            if (attribute is null)
            {
                continue;
            }

            var parameterType = parameter.ParameterType;
            if (!parameterType.IsGenericType || parameterType.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException($"Grain class {grainClass.FullName} parameter '{parameter.Name}' has [PersistentState] but its type is {parameterType.Name}; it must be IPersistentState<TState>.");
            }

            states.Add(new PersistentStateBinding(grainClass, parameter, attribute, parameterType.GetGenericArguments()[0]));
        }

        PersistentStates = states;
        _factory = ActivatorUtilities.CreateFactory(grainClass, states.Select(s => s.ParameterType).ToArray());
    }

    /// <summary>The grain class.</summary>
    public Type ClassType { get; }

    /// <summary>The class name, used as the <c>grain_type</c> metric tag.</summary>
    public string Name { get; }

    /// <summary>Whether the class is <see cref="ReentrantAttribute">[Reentrant]</see>.</summary>
    public bool IsReentrant { get; }

    /// <summary>Whether the class is a <see cref="StatelessWorkerAttribute">[StatelessWorker]</see>.</summary>
    public bool IsStatelessWorker { get; }

    /// <summary>The class's own worker cap; zero or negative means the silo default.</summary>
    public int MaxLocalWorkers { get; }

    /// <summary>The constructor parameters bound to persistent state, in constructor order.</summary>
    public IReadOnlyList<PersistentStateBinding> PersistentStates { get; }

    internal object CreateInstance(IServiceProvider services, object?[] persistentStates) => _factory(services, persistentStates);
}
