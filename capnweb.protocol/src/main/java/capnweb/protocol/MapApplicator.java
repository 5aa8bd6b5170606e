package capnweb.protocol;

import capnweb.api.Undefined;
import com.google.gson.JsonArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a received map() recording (the instructions of a {@code remap} expression) over a local
 * value: over each element of an array, giving an array of results; once over any other value;
 * not at all over null or undefined, which map to themselves, as in the reference.
 *
 * <p>While the instructions are evaluated, the "import table" they refer to is: negative ids the
 * captures, 0 the input, positive ids the results of the earlier instructions.
 */
final class MapApplicator implements Evaluator.Importer {
    private final Session session;
    private final List<StubHook> captures;
    private final List<StubHook> variables = new ArrayList<>();

    private MapApplicator(Session session, List<StubHook> captures, StubHook input) {
        this.session = session;
        this.captures = captures;
        variables.add(input);
    }

    /** Takes ownership of {@code captures}. */
    static StubHook applyMap(Session session, Object input, List<StubHook> captures, JsonArray instructions) {
        try {
            Payload result;
            if (input instanceof PromiseImpl) {
                throw Errors.error("applyMap() can't be called on RpcPromise");
            } else if (input instanceof List) {
                List<Payload> parts = new ArrayList<>();
                try {
                    for (Object element : (List<?>) input) {
                        parts.add(applyToElement(session, element, captures, instructions));
                    }
                } catch (RuntimeException e) {
                    parts.forEach(Payload::dispose);
                    throw e;
                }
                result = Payload.fromArray(parts);
            } else if (input == null || input == Undefined.INSTANCE) {
                result = Payload.of(input);
            } else {
                result = applyToElement(session, input, captures, instructions);
            }
            return new PayloadHook(result, session);
        } finally {
            captures.forEach(StubHook::dispose);
        }
    }

    private static Payload applyToElement(Session session, Object element, List<StubHook> captures,
            JsonArray instructions) {
        StubHook input = new PayloadHook(Payload.deepCopyFrom(element, session), session);
        MapApplicator mapper = new MapApplicator(session, captures, input);
        try {
            return mapper.apply(instructions);
        } finally {
            mapper.variables.forEach(StubHook::dispose);
        }
    }

    private Payload apply(JsonArray instructions) {
        if (instructions.size() < 1) {
            throw Errors.error("Invalid empty mapper function.");
        }
        for (int i = 0; i < instructions.size() - 1; i++) {
            Payload payload = Evaluator.evaluate(instructions.get(i), this);
            // Usually a single stub: keep its hook rather than a payload around it.
            if (payload.value instanceof StubImpl && ((StubImpl) payload.value).pathOrEmpty().isEmpty()) {
                variables.add(((StubImpl) payload.value).hookOnThread());
                continue;
            }
            variables.add(new PayloadHook(payload, session));
        }
        return Evaluator.evaluate(instructions.get(instructions.size() - 1), this);
    }

    @Override
    public StubHook importStub(long id) {
        throw Errors.error("A mapper function cannot refer to exports.");
    }

    @Override
    public StubHook importPromise(long id) {
        return importStub(id);
    }

    @Override
    public StubHook getExport(long id) {
        if (id < 0) {
            int index = (int) (-id - 1);
            return index < captures.size() ? captures.get(index) : null;
        }
        return id < variables.size() ? variables.get((int) id) : null;
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public int maxDepth() {
        return session.options.maxDepth();
    }

    @Override
    public int maxBigIntDigits() {
        return session.options.maxBigIntDigits();
    }
}
