//! Each engine behind one interface: built from the policy, given every case pre-parsed in its
//! natural form (outside the timed region), and asked for the three verdicts either from that
//! form or from JSON text.

use std::hint::black_box;
use std::str::FromStr;

use cedar_policy::{Authorizer, Context, Entities, EntityUid, PolicyId, PolicySet, Request, Response, Schema};
use concord_lang::{Description, DescriptionBuf, Engine, Format, Outcomes, RedlineOutcome, Rulebook};

use crate::Verdicts;
use crate::cases::Case;
use crate::floor;
use crate::policy::{ExtraRule, Policy};

/// The JSON text of one case in each engine's input format.
pub struct Texts {
    /// The description read by Concord, regorus and the floor.
    pub description: String,
    /// Cedar's entities.
    pub cedar: String,
}

impl Texts {
    pub fn new(case: &Case) -> Texts {
        Texts { description: case.description_json(), cedar: case.cedar_entities_json() }
    }
}

pub type Outcome = Result<Verdicts, String>;

pub trait Peer {
    fn name(&self) -> &'static str;
    /// Parses every case into the engine's natural pre-parsed form, replacing any earlier ones.
    fn prepare(&mut self, cases: &[Case], texts: &[Texts]) -> Result<(), String>;
    /// The verdicts of the `idx`-th prepared case.
    fn decide_parsed(&mut self, idx: usize) -> Outcome;
    /// The verdicts from JSON text, parsing included.
    fn decide_json(&mut self, texts: &Texts) -> Outcome;

    /// Decides the first `n` prepared cases; monomorphized per engine, so the loop has no
    /// dynamic call.
    fn run_parsed(&mut self, n: usize) -> u32 {
        (0..n).map(|idx| checksum(&self.decide_parsed(black_box(idx)))).sum()
    }

    fn run_json(&mut self, texts: &[Texts]) -> u32 {
        texts.iter().map(|text| checksum(&self.decide_json(black_box(text)))).sum()
    }
}

fn checksum(outcome: &Outcome) -> u32 {
    match black_box(outcome) {
        Ok(verdicts) => verdicts.redline as u32 + verdicts.high_risk as u32 * 2 + verdicts.systemic_risk as u32 * 4,
        Err(_) => 8,
    }
}

/// The hand-written floor.
pub struct Floor {
    extras: Vec<ExtraRule>,
    parsed: Vec<Case>,
}

impl Floor {
    pub fn new(policy: &Policy) -> Floor {
        Floor { extras: policy.extras.clone(), parsed: Vec::new() }
    }
}

impl Peer for Floor {
    fn name(&self) -> &'static str {
        "hand-written Rust"
    }

    fn prepare(&mut self, cases: &[Case], _texts: &[Texts]) -> Result<(), String> {
        self.parsed = cases.to_vec();
        Ok(())
    }

    fn decide_parsed(&mut self, idx: usize) -> Outcome {
        Ok(floor::decide(&self.parsed[idx], &self.extras))
    }

    fn decide_json(&mut self, texts: &Texts) -> Outcome {
        floor::decide_json(&texts.description, &self.extras)
    }
}

pub struct Concord {
    rulebook: Rulebook,
    as_of: jiff::civil::Date,
    outcomes: Outcomes,
    parsed: Vec<Description>,
    /// The buffer descriptions from JSON are loaded into, reused as `outcomes` is.
    buf: DescriptionBuf,
}

impl Concord {
    pub fn new(policy: &Policy) -> Result<Concord, String> {
        let mut engine = Engine::default();
        let file = engine.add_source("eu_slice.concord", &policy.concord);
        let errors: Vec<_> = engine.diagnostics(file).into_iter().filter(|diagnostic| diagnostic.is_error()).collect();
        if !errors.is_empty() {
            return Err(format!("the Concord policy has errors: {errors:#?}"));
        }
        let rulebook = engine.compile(file).map_err(|err| format!("the Concord policy does not compile: {err:?}"))?;
        let as_of = jiff::civil::date(2026, 10, 1);
        Ok(Concord { rulebook, as_of, outcomes: Outcomes::default(), parsed: Vec::new(), buf: DescriptionBuf::default() })
    }

    fn load(&self, text: &str) -> Result<Description, String> {
        self.rulebook.load_description(text.as_bytes(), Format::Json).map_err(|errors| format!("{errors:?}"))
    }
}

/// The Concord adapter: evaluates and reads the three verdicts. The rulebook's classifications
/// are `high_risk` then `systemic_risk`, each with its positive tier first (tier 0).
fn concord_verdicts(
    rulebook: &Rulebook,
    description: &Description,
    as_of: jiff::civil::Date,
    outcomes: &mut Outcomes,
) -> Outcome {
    rulebook.evaluate_outcomes(description, as_of, outcomes);
    let mut redline = false;
    for outcome in &outcomes.redlines {
        match outcome {
            RedlineOutcome::Prohibited => redline = true,
            RedlineOutcome::Exempted | RedlineOutcome::NotProhibited => {}
            other => return Err(format!("a redline is {other:?}")),
        }
    }
    match outcomes.classifications[..] {
        [Some(high_risk), Some(systemic_risk)] => {
            Ok(Verdicts { redline, high_risk: high_risk == 0, systemic_risk: systemic_risk == 0 })
        }
        ref other => Err(format!("classifications {other:?}")),
    }
}

impl Peer for Concord {
    fn name(&self) -> &'static str {
        "Concord"
    }

    fn prepare(&mut self, _cases: &[Case], texts: &[Texts]) -> Result<(), String> {
        self.parsed = texts.iter().map(|text| self.load(&text.description)).collect::<Result<_, _>>()?;
        Ok(())
    }

    fn decide_parsed(&mut self, idx: usize) -> Outcome {
        concord_verdicts(&self.rulebook, &self.parsed[idx], self.as_of, &mut self.outcomes)
    }

    fn decide_json(&mut self, texts: &Texts) -> Outcome {
        let description = self
            .rulebook
            .load_description_into(&mut self.buf, texts.description.as_bytes(), Format::Json)
            .map_err(|errors| format!("{errors:?}"))?;
        concord_verdicts(&self.rulebook, description, self.as_of, &mut self.outcomes)
    }
}

/// Cedar, with every rule a `forbid` so that one request reports all the rules that hold.
pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
    schema: Schema,
    request: Request,
    parsed: Vec<Entities>,
}

impl Cedar {
    pub fn new(policy: &Policy) -> Result<Cedar, String> {
        let (schema, _warnings) =
            Schema::from_cedarschema_str(crate::policy::CEDAR_SCHEMA).map_err(|err| format!("Cedar schema: {err}"))?;
        let parsed = PolicySet::from_str(&policy.cedar).map_err(|err| format!("Cedar policies: {err}"))?;
        // Name each policy by its `@id` so that the verdicts can be read from the reasons.
        let mut policies = PolicySet::new();
        for each in parsed.policies() {
            let id = each.annotation("id").ok_or("a Cedar policy without @id")?;
            policies.add(each.new_id(PolicyId::new(id))).map_err(|err| format!("Cedar policies: {err}"))?;
        }
        let validation =
            cedar_policy::Validator::new(schema.clone()).validate(&policies, cedar_policy::ValidationMode::Strict);
        if !validation.validation_passed() {
            return Err(format!("the Cedar policies do not validate: {validation}"));
        }
        let uid = |text: &str| EntityUid::from_str(text).map_err(|err| format!("{err}"));
        let request = Request::new(
            uid("Assessor::\"bench\"")?,
            uid("Action::\"decide\"")?,
            uid("System::\"s\"")?,
            Context::empty(),
            Some(&schema),
        )
        .map_err(|err| format!("Cedar request: {err}"))?;
        Ok(Cedar { authorizer: Authorizer::new(), policies, schema, request, parsed: Vec::new() })
    }

    fn load(&self, text: &str) -> Result<Entities, String> {
        Entities::from_json_str(text, Some(&self.schema)).map_err(|err| format!("Cedar entities: {err}"))
    }
}

fn cedar_verdicts(response: &Response) -> Outcome {
    if let Some(error) = response.diagnostics().errors().next() {
        return Err(format!("Cedar: {error}"));
    }
    let mut verdicts = Verdicts::default();
    for id in response.diagnostics().reason() {
        match AsRef::<str>::as_ref(id) {
            "high_risk" => verdicts.high_risk = true,
            "systemic_risk" => verdicts.systemic_risk = true,
            _ => verdicts.redline = true,
        }
    }
    Ok(verdicts)
}

impl Peer for Cedar {
    fn name(&self) -> &'static str {
        "Cedar"
    }

    fn prepare(&mut self, _cases: &[Case], texts: &[Texts]) -> Result<(), String> {
        self.parsed = texts.iter().map(|text| self.load(&text.cedar)).collect::<Result<_, _>>()?;
        Ok(())
    }

    fn decide_parsed(&mut self, idx: usize) -> Outcome {
        cedar_verdicts(&self.authorizer.is_authorized(&self.request, &self.policies, &self.parsed[idx]))
    }

    fn decide_json(&mut self, texts: &Texts) -> Outcome {
        let entities = self.load(&texts.cedar)?;
        cedar_verdicts(&self.authorizer.is_authorized(&self.request, &self.policies, &entities))
    }
}

const REGO_ENTRY: &str = "data.eu.decision";

/// regorus: the tree interpreter (`CompiledPolicy::eval_with_input`) or the RVM bytecode.
pub struct Regorus {
    compiled: regorus::CompiledPolicy,
    vm: Option<regorus::rvm::RegoVM>,
    parsed: Vec<regorus::Value>,
}

impl Regorus {
    pub fn new(policy: &Policy, rvm: bool) -> Result<Regorus, String> {
        let mut engine = regorus::Engine::new();
        engine.add_policy("eu_slice.rego".into(), policy.rego.clone()).map_err(|err| format!("Rego policy: {err}"))?;
        let compiled =
            engine.compile_with_entrypoint(&REGO_ENTRY.into()).map_err(|err| format!("Rego policy: {err}"))?;
        let vm = if rvm {
            let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_ENTRY])
                .map_err(|err| format!("Rego to RVM: {err}"))?;
            let mut vm = regorus::rvm::RegoVM::new_with_policy(compiled.clone());
            vm.load_program(program);
            Some(vm)
        } else {
            None
        };
        Ok(Regorus { compiled, vm, parsed: Vec::new() })
    }

    fn eval(&mut self, input: regorus::Value) -> Outcome {
        let result = match &mut self.vm {
            Some(vm) => {
                vm.set_input(input);
                vm.execute_entry_point_by_index(0).map_err(|err| format!("regorus RVM: {err}"))?
            }
            None => self.compiled.eval_with_input(input).map_err(|err| format!("regorus: {err}"))?,
        };
        let field = |name: &str| {
            result[name].as_bool().copied().map_err(|_| format!("regorus: `{name}` is {} in {result}", result[name]))
        };
        Ok(Verdicts {
            redline: field("redline")?,
            high_risk: field("high_risk")?,
            systemic_risk: field("systemic_risk")?,
        })
    }
}

fn regorus_value(text: &str) -> Result<regorus::Value, String> {
    regorus::Value::from_json_str(text).map_err(|err| format!("regorus input: {err}"))
}

impl Peer for Regorus {
    fn name(&self) -> &'static str {
        if self.vm.is_some() { "regorus RVM" } else { "regorus interpreter" }
    }

    fn prepare(&mut self, _cases: &[Case], texts: &[Texts]) -> Result<(), String> {
        self.parsed = texts.iter().map(|text| regorus_value(&text.description)).collect::<Result<_, _>>()?;
        Ok(())
    }

    fn decide_parsed(&mut self, idx: usize) -> Outcome {
        let input = self.parsed[idx].clone();
        self.eval(input)
    }

    fn decide_json(&mut self, texts: &Texts) -> Outcome {
        let input = regorus_value(&texts.description)?;
        self.eval(input)
    }
}
