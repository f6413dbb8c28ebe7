using ModelGen;

// A mistake a user makes: the model class is not partial (MGEN001, reported at the class name on line 6).
[Model(4)]
[Dense(3, Activation.Softmax)]
public class NotPartial { }

// A JSON declaration naming an activation that does not exist (MGEN025, reported in bad.modelgen.json on line 4).
[Model(Json = "bad.modelgen.json")]
public partial class BadJson { }
