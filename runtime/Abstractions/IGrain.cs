namespace OrleansTenancy.Runtime;

/// <summary>Marker for grain interfaces. Every method returns <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or <see cref="ValueTask{TResult}"/>.</summary>
public interface IGrain
{
}

/// <summary>Marker for grain interfaces whose grains are addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain
{
}

/// <summary>Creates references to grains. A reference is cheap: it activates nothing until it is called.</summary>
public interface IGrainFactory
{
    /// <summary>Returns a typed reference to the grain with the given key.</summary>
    /// <typeparam name="TGrainInterface">A public grain interface registered with the runtime.</typeparam>
    /// <param name="primaryKey">The grain key; any non-null string.</param>
    TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey;
}
