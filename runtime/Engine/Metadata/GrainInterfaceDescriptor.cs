using System.Reflection;

namespace OrleansTenancy.Runtime.Metadata;

/// <summary>A grain interface: its methods (in a fixed order) and the class implementing it.</summary>
public sealed class GrainInterfaceDescriptor
{
    private readonly Dictionary<string, GrainMethodDescriptor> _methodsByKey;

    internal GrainInterfaceDescriptor(Type interfaceType, GrainClassDescriptor? implementation)
    {
        if (!interfaceType.IsVisible)
        {
            throw new InvalidOperationException($"Grain interface {interfaceType.FullName} must be public: the runtime generates its reference type in a separate assembly.");
        }

        if (interfaceType.IsGenericTypeDefinition)
        {
            throw new InvalidOperationException($"Grain interface {interfaceType.FullName} is generic; generic grain interfaces are not supported.");
        }

        InterfaceType = interfaceType;
        Implementation = implementation;
        GrainType = interfaceType.FullName ?? interfaceType.Name;
        var methods = new[] { interfaceType }
            .Concat(interfaceType.GetInterfaces())
            .Where(i => i != typeof(IGrain) && i != typeof(IGrainWithStringKey))
            .SelectMany(i => i.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .ToArray();
        Methods = methods.Select((m, i) => new GrainMethodDescriptor(this, i, m)).ToArray();
        _methodsByKey = new Dictionary<string, GrainMethodDescriptor>(StringComparer.Ordinal);
        foreach (var method in Methods)
        {
            if (!_methodsByKey.TryAdd(method.Key, method))
            {
                throw new InvalidOperationException($"Grain interface {GrainType} has two methods with the signature {method.Key}; rename one.");
            }
        }
    }

    /// <summary>The interface type.</summary>
    public Type InterfaceType { get; }

    /// <summary>The grain type name used in grain identities and storage: the interface's full name.</summary>
    public string GrainType { get; }

    /// <summary>The implementing grain class, or null where only the interface is known (a client).</summary>
    public GrainClassDescriptor? Implementation { get; }

    /// <summary>The methods, including those of inherited interfaces; <see cref="GrainMethodDescriptor.Index"/> points here.</summary>
    public IReadOnlyList<GrainMethodDescriptor> Methods { get; }

    /// <summary>Finds a method by its wire key.</summary>
    public GrainMethodDescriptor? FindMethod(string key) => _methodsByKey.GetValueOrDefault(key);
}
