using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Storage;

namespace OrleansTenancy.Runtime.Hosting;

/// <summary>The assemblies registered with <see cref="GrainRuntimeBuilder.AddGrains"/>.</summary>
public sealed class GrainAssemblyList
{
    private readonly List<Assembly> _assemblies = [];

    /// <summary>The registered assemblies, in registration order.</summary>
    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    internal void Add(Assembly assembly)
    {
        if (!_assemblies.Contains(assembly))
        {
            _assemblies.Add(assembly);
        }
    }
}

/// <summary>
/// Configures the grain runtime of one silo. <c>AddXxx</c> adds grains or named providers; <c>UseXxx</c>
/// replaces the single implementation of a seam (membership table, transport). Every method returns the builder.
/// </summary>
public sealed class GrainRuntimeBuilder
{
    private readonly GrainAssemblyList _assemblies;

    internal GrainRuntimeBuilder(IServiceCollection services, GrainAssemblyList assemblies)
    {
        Services = services;
        _assemblies = assemblies;
    }

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Registers every grain class in <paramref name="assembly"/> (non-abstract classes implementing a grain interface) and their interfaces.</summary>
    public GrainRuntimeBuilder AddGrains(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        _assemblies.Add(assembly);
        return this;
    }

    /// <summary>Registers a grain storage provider under <paramref name="name"/> (a keyed singleton).</summary>
    public GrainRuntimeBuilder AddGrainStorage(string name, Func<IServiceProvider, IGrainStorage> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddKeyedSingleton(name, (services, _) => factory(services));
        return this;
    }

    /// <summary>Registers a grain storage provider type under <paramref name="name"/>, constructed through dependency injection.</summary>
    public GrainRuntimeBuilder AddGrainStorage<TStorage>(string name)
        where TStorage : class, IGrainStorage =>
        AddGrainStorage(name, services => ActivatorUtilities.CreateInstance<TStorage>(services));

    /// <summary>Uses the given membership table (the default is a private in-memory table: a single-silo cluster).</summary>
    public GrainRuntimeBuilder UseMembershipTable(Func<IServiceProvider, IMembershipTable> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>Uses the given message transport (the default is an in-memory transport private to this silo).</summary>
    public GrainRuntimeBuilder UseTransport(Func<IServiceProvider, IMessageTransport> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>Adjusts how arguments and results are serialized.</summary>
    public GrainRuntimeBuilder ConfigureSerialization(Action<GrainSerializationOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    internal void AddCoreServices()
    {
        Services.TryAddSingleton(TimeProvider.System);
        Services.TryAddSingleton<IMembershipTable, InMemoryMembershipTable>();
        Services.TryAddSingleton<IMessageTransport, InMemoryMessageTransport>();
    }
}
