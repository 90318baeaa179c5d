using System.Collections.Frozen;
using System.Reflection;
using OrleansTenancy.Runtime.Proxies;

namespace OrleansTenancy.Runtime.Metadata;

/// <summary>
/// The grain interfaces and classes this process knows, with their compiled invokers and generated
/// reference types. Built once when the silo or client is created; read-only afterwards.
/// </summary>
public sealed class GrainTypeRegistry
{
    private readonly FrozenDictionary<Type, GrainInterfaceDescriptor> _byType;
    private readonly FrozenDictionary<string, GrainInterfaceDescriptor> _byName;
    private readonly FrozenSet<Assembly> _knownAssemblies;
    private readonly FrozenDictionary<Type, string> _ambiguous;

    /// <summary>Scans the given assemblies for grain classes and grain interfaces.</summary>
    /// <param name="grainAssemblies">Assemblies whose grain classes (and their interfaces) are registered.</param>
    /// <param name="interfaceAssemblies">Assemblies whose grain interfaces are registered without an implementation (clients).</param>
    /// <exception cref="InvalidOperationException">A type breaks a grain rule (non-public interface, bad return type, two public constructors...).</exception>
    public GrainTypeRegistry(IEnumerable<Assembly> grainAssemblies, IEnumerable<Assembly>? interfaceAssemblies = null)
    {
        ArgumentNullException.ThrowIfNull(grainAssemblies);
        var implementations = new Dictionary<Type, GrainClassDescriptor>();
        var ambiguous = new Dictionary<Type, string>();
        var assemblies = new HashSet<Assembly>();
        foreach (var assembly in grainAssemblies.Distinct())
        {
            assemblies.Add(assembly);
            foreach (var type in assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && typeof(IGrain).IsAssignableFrom(t)))
            {
                var grainClass = new GrainClassDescriptor(type);
                foreach (var iface in GrainInterfacesOf(type))
                {
                    if (ambiguous.TryGetValue(iface, out var classes))
                    {
                        ambiguous[iface] = $"{classes}, {type.FullName}";
                        continue;
                    }

                    if (implementations.Remove(iface, out var existing))
                    {
                        // Shared base interfaces are fine until someone addresses a grain through them.
                        ambiguous[iface] = $"{existing.ClassType.FullName}, {type.FullName}";
                        continue;
                    }

                    implementations[iface] = grainClass;
                    assemblies.Add(iface.Assembly);
                }
            }
        }

        var descriptors = implementations.ToDictionary(p => p.Key, p => new GrainInterfaceDescriptor(p.Key, p.Value));
        foreach (var assembly in interfaceAssemblies ?? [])
        {
            assemblies.Add(assembly);
            foreach (var iface in assembly.GetTypes().Where(IsGrainInterface).Where(t => !descriptors.ContainsKey(t)))
            {
                descriptors[iface] = new GrainInterfaceDescriptor(iface, null);
            }
        }

        _ambiguous = ambiguous.ToFrozenDictionary();
        _byType = descriptors.ToFrozenDictionary();
        _byName = descriptors.Values.ToFrozenDictionary(d => d.GrainType, StringComparer.Ordinal);
        _knownAssemblies = assemblies.ToFrozenSet();
        Proxies = new GrainProxyFactory(descriptors.Values);
    }

    /// <summary>All registered grain interfaces.</summary>
    public IEnumerable<GrainInterfaceDescriptor> Interfaces => _byType.Values;

    /// <summary>The generated reference types.</summary>
    public GrainProxyFactory Proxies { get; }

    /// <summary>Returns the descriptor of a registered grain interface.</summary>
    /// <exception cref="InvalidOperationException">The interface is not registered.</exception>
    public GrainInterfaceDescriptor GetInterface(Type interfaceType)
    {
        ArgumentNullException.ThrowIfNull(interfaceType);
        if (_byType.TryGetValue(interfaceType, out var descriptor))
        {
            return descriptor;
        }

        throw _ambiguous.TryGetValue(interfaceType, out var classes)
            ? new InvalidOperationException(
                $"Grain interface {interfaceType.FullName} is implemented by several grain classes ({classes}); address the grain through an interface only one class implements.")
            : new InvalidOperationException(
                $"Grain interface {interfaceType.FullName} is not registered. Register the assembly of its grain class with AddGrains(assembly) (or AddGrainsFrom on the test cluster builder).");
    }

    /// <summary>Finds a grain interface by its grain type name (as carried in messages).</summary>
    public GrainInterfaceDescriptor? FindByGrainType(string grainType) => _byName.GetValueOrDefault(grainType);

    /// <summary>Whether a type comes from an assembly of registered grains or grain interfaces (used to recreate remote exceptions).</summary>
    public bool IsKnownAssembly(Assembly assembly) => _knownAssemblies.Contains(assembly);

    private static bool IsGrainInterface(Type type) =>
        type.IsInterface && type != typeof(IGrainWithStringKey) && typeof(IGrainWithStringKey).IsAssignableFrom(type);

    private static IEnumerable<Type> GrainInterfacesOf(Type grainClass) => grainClass.GetInterfaces().Where(IsGrainInterface);
}
