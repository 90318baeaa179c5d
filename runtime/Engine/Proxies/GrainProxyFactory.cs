using System.Collections.Frozen;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Proxies;

/// <summary>
/// Generates one reference type per grain interface with System.Reflection.Emit, once, at startup.
/// </summary>
/// <remarks>
/// Why Emit rather than a source generator: Microsoft.CodeAnalysis packages are not in the restorable set,
/// and a generator would add a build-time dependency to every grain-interface project. Why not
/// <c>DispatchProxy</c>: it hands each call a <see cref="MethodInfo"/> to look up. Emitted methods instead
/// carry their method index as a constant and call a protected, non-virtual helper of
/// <see cref="GrainReference"/>, so a call costs one argument array and a virtual call into the invoker.
/// </remarks>
public sealed class GrainProxyFactory
{
    private static readonly MethodInfo EmptyArray = typeof(Array).GetMethod(nameof(Array.Empty))!.MakeGenericMethod(typeof(object));
    private readonly FrozenDictionary<Type, Func<GrainReferenceBinding, string, GrainReference>> _constructors;

    internal GrainProxyFactory(IEnumerable<GrainInterfaceDescriptor> interfaces)
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("OrleansTenancy.Runtime.GeneratedReferences"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("References");
        _constructors = interfaces.ToFrozenDictionary(d => d.InterfaceType, d => Generate(module, d));
    }

    /// <summary>Creates a reference of the generated type for <paramref name="binding"/>'s interface.</summary>
    public GrainReference Create(GrainReferenceBinding binding, string key)
    {
        ArgumentNullException.ThrowIfNull(binding);
        return _constructors[binding.Interface.InterfaceType](binding, key);
    }

    private static Func<GrainReferenceBinding, string, GrainReference> Generate(ModuleBuilder module, GrainInterfaceDescriptor descriptor)
    {
        var iface = descriptor.InterfaceType;
        var type = module.DefineType(
            "Ref." + iface.FullName,
            TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class,
            typeof(GrainReference),
            [iface]);

        var baseConstructor = typeof(GrainReference).GetConstructor(
            BindingFlags.NonPublic | BindingFlags.Instance, [typeof(GrainReferenceBinding), typeof(string)])!;
        var constructor = type.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(GrainReferenceBinding), typeof(string)]);
        var il = constructor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Call, baseConstructor);
        il.Emit(OpCodes.Ret);

        foreach (var method in descriptor.Methods)
        {
            EmitMethod(type, method);
        }

        var generated = type.CreateType();
        var binding = Expression.Parameter(typeof(GrainReferenceBinding), "binding");
        var key = Expression.Parameter(typeof(string), "key");
        var create = Expression.New(generated.GetConstructor([typeof(GrainReferenceBinding), typeof(string)])!, binding, key);
        return Expression.Lambda<Func<GrainReferenceBinding, string, GrainReference>>(create, binding, key).Compile();
    }

    private static void EmitMethod(TypeBuilder type, GrainMethodDescriptor descriptor)
    {
        var method = descriptor.Method;
        var parameters = method.GetParameters();
        var builder = type.DefineMethod(
            $"{method.DeclaringType!.FullName}.{method.Name}#{descriptor.Index}",
            MethodAttributes.Private | MethodAttributes.HideBySig | MethodAttributes.NewSlot | MethodAttributes.Virtual | MethodAttributes.Final,
            method.ReturnType,
            parameters.Select(p => p.ParameterType).ToArray());
        var il = builder.GetILGenerator();

        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, descriptor.Index);
        if (descriptor.Parameters.Count == 0)
        {
            il.Emit(OpCodes.Call, EmptyArray);
        }
        else
        {
            il.Emit(OpCodes.Ldc_I4, descriptor.Parameters.Count);
            il.Emit(OpCodes.Newarr, typeof(object));
            var slot = 0;
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameterType = parameters[i].ParameterType;
                if (parameterType == typeof(CancellationToken))
                {
                    continue;
                }

                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Ldc_I4, slot++);
                il.Emit(OpCodes.Ldarg, (short)(i + 1));
                if (parameterType.IsValueType || parameterType.IsGenericParameter)
                {
                    il.Emit(OpCodes.Box, parameterType);
                }

                il.Emit(OpCodes.Stelem_Ref);
            }
        }

        if (descriptor.TakesCancellationToken)
        {
            il.Emit(OpCodes.Ldarg, (short)(descriptor.CancellationTokenIndex + 1));
        }
        else
        {
            var none = il.DeclareLocal(typeof(CancellationToken));
            il.Emit(OpCodes.Ldloca_S, none);
            il.Emit(OpCodes.Initobj, typeof(CancellationToken));
            il.Emit(OpCodes.Ldloc, none);
        }

        var helperName = descriptor.ReturnKind switch
        {
            GrainMethodReturnKind.Task => "InvokeTask",
            GrainMethodReturnKind.TaskOfT => "InvokeTaskOf",
            GrainMethodReturnKind.ValueTask => "InvokeValueTask",
            _ => "InvokeValueTaskOf",
        };
        var helper = typeof(GrainReference).GetMethod(helperName, BindingFlags.NonPublic | BindingFlags.Instance)!;
        if (descriptor.ResultType is not null)
        {
            helper = helper.MakeGenericMethod(descriptor.ResultType);
        }

        il.Emit(OpCodes.Call, helper);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(builder, method);
    }
}
