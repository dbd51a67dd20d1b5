/**
 * Human-to-human interaction templates: two bodies posed together (handshake, hug, high-five, piggyback, dance,
 * talk, push, point at). bodies[0] is the person of the annotation (erased from the image), bodies[1] the partner
 * (drawn as a person figure). Contacts between them are made by inverse kinematics on both bodies.
 */
import { S, arm, jitterPose, jointOf, newBody, pose, setArm, setJoint, setLeg, standOnFloor, type Body } from './body.ts';
import { solveIk } from './ik.ts';
import type { Rng } from './rng.ts';
import type { Contact, Interaction, InteractionTemplate } from './types.ts';
import type { Setting } from './background.ts';
import { add, fromAxisAngle, apply, lerp, normalize, scale, sub, type Vec3 } from './vec.ts';

type Side = 'left' | 'right';
const SIDES: readonly Side[] = ['left', 'right'];
const SETTINGS: readonly Setting[] = ['park', 'street', 'indoor', 'beach', 'field'];
const armJoints = (side: Side, spine = true): number[] => {
  const a = arm(side);
  return [...(spine ? [S.spine3] : []), a.collar, a.shoulder, a.elbow, a.wrist];
};

/** A standing body at (x, z) turned by `yaw` (0: facing +z). */
function standAt(rng: Rng, x: number, z: number, yaw: number): Body {
  const b = newBody(rng);
  for (const s of SIDES) {
    setLeg(b, s, 0.05 + rng.gauss(0.08), 0.08 + rng.uniform(0, 0.15), 0.04 + rng.gauss(0.03));
    setArm(b, s, 1.2 + rng.gauss(0.1), rng.gauss(0.15), 0.2 + rng.uniform(0, 0.4));
  }
  jitterPose(b, rng, 0.04, [S.lHip, S.rHip, S.lKnee, S.rKnee, S.lAnkle, S.rAnkle]);
  setJoint(b, S.pelvis, 0, yaw, 0);
  b.translation = [x, 0, z];
  standOnFloor(b);
  return b;
}

/** World point in a body's yaw frame: [left, up, forward] from joint `j`. */
function rel(b: Body, j: number, off: Vec3): Vec3 {
  const R = fromAxisAngle([b.pose[0], b.pose[1], b.pose[2]]);
  return add(jointOf(pose(b), j), apply(R, off));
}

class Pair {
  contacts: Contact[] = [];
  constructor(public a: Body, public b: Body) {}
  /** Solve a goal on body `who` (0 person, 1 partner); contacts are recorded for the person only. */
  reach(who: 0 | 1, joint: number, target: Vec3, joints: number[], what: string, prior = 0.03): this {
    solveIk(who ? this.b : this.a, [{ joint, target }], { joints, prior, iterations: 50 });
    if (who === 0) this.contacts.push({ joint, target, what });
    return this;
  }
  both(who: 0 | 1, goals: Array<{ joint: number; target: Vec3; what: string }>, joints: number[]): this {
    solveIk(who ? this.b : this.a, goals, { joints, prior: 0.03, iterations: 50 });
    if (who === 0) for (const g of goals) this.contacts.push(g);
    return this;
  }
  done(action: string, settings: readonly Setting[] = SETTINGS): Interaction {
    const p = pose(this.a);
    let e = 0;
    for (const c of this.contacts) {
      const j = jointOf(p, c.joint);
      e = Math.max(e, Math.hypot(j[0] - c.target[0], j[1] - c.target[1], j[2] - c.target[2]));
    }
    return { action, category: 'person', bodies: [this.a, this.b], furniture: [], contacts: this.contacts, settings, ikError: e };
  }
}

/** Two people facing each other `d` metres apart (pelvis to pelvis), the partner at +z. */
function facing(rng: Rng, d: number): Pair {
  const turn = rng.gauss(0.15);
  const a = standAt(rng, 0, 0, turn);
  const b = standAt(rng, rng.gauss(0.05), d, Math.PI + rng.gauss(0.15));
  return new Pair(a, b);
}

const handshake: InteractionTemplate = {
  action: 'handshake', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.75, 0.95));
    const pa = pose(pr.a), pb = pose(pr.b);
    const mid = lerp(jointOf(pa, S.rShoulder), jointOf(pb, S.rShoulder), 0.5);
    const m: Vec3 = [mid[0], mid[1] - rng.uniform(0.3, 0.45), mid[2]];
    pr.reach(1, S.rHand, add(m, [0, 0, 0.03]), armJoints('right'), 'partner hand');
    pr.reach(0, S.rHand, add(m, [0, 0, -0.03]), armJoints('right'), 'right hand in the partner\'s hand');
    return pr.done('handshake');
  },
};

const highFive: InteractionTemplate = {
  action: 'high-five', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.7, 0.95));
    const side = rng.pick(SIDES), bSide: Side = side === 'left' ? 'right' : 'left';
    setArm(pr.a, side, -0.9, 0.5, 0.6);
    setArm(pr.b, bSide, -0.9, 0.5, 0.6);
    const pa = pose(pr.a), pb = pose(pr.b);
    const mid = lerp(jointOf(pa, arm(side).shoulder), jointOf(pb, arm(bSide).shoulder), 0.5);
    const m: Vec3 = [mid[0], mid[1] + rng.uniform(0.25, 0.45), mid[2]];
    pr.reach(1, arm(bSide).hand, add(m, [0, 0, 0.03]), armJoints(bSide), 'partner hand');
    pr.reach(0, arm(side).hand, add(m, [0, 0, -0.03]), armJoints(side), 'hand on the partner\'s hand');
    return pr.done('high-five');
  },
};

const hug: InteractionTemplate = {
  action: 'hug', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.3, 0.4));
    for (const s of SIDES) { setArm(pr.a, s, 0.5, 1.2, 1.2); setArm(pr.b, s, 0.5, 1.2, 1.2); }
    const highA = rng.chance(0.5);
    // A's hands on B's back (B faces -z, so B's back is at +z of B's spine)
    const aGoals = SIDES.map((s) => ({
      joint: arm(s).hand,
      target: rel(pr.b, highA ? S.spine3 : S.spine2, [(s === 'left' ? -1 : 1) * rng.uniform(0.08, 0.14), rng.gauss(0.05), -0.14]),
      what: `${s} hand on the partner's back`,
    }));
    pr.both(0, aGoals, [S.spine2, ...armJoints('left'), ...armJoints('right', false)]);
    const bGoals = SIDES.map((s) => ({
      joint: arm(s).hand,
      target: rel(pr.a, highA ? S.spine2 : S.spine3, [(s === 'left' ? -1 : 1) * rng.uniform(0.08, 0.14), rng.gauss(0.05), -0.14]),
      what: 'partner hand',
    }));
    pr.both(1, bGoals, [S.spine2, ...armJoints('left'), ...armJoints('right', false)]);
    return pr.done('hug');
  },
};

const dance: InteractionTemplate = {
  action: 'dance', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.45, 0.6));
    const pa = pose(pr.a), pb = pose(pr.b);
    // A's left hand holds B's right hand out to the side, A's right hand on B's waist, B's left hand on A's shoulder
    const sideOut = rel(pr.a, S.lShoulder, [rng.uniform(0.25, 0.4), rng.uniform(-0.15, 0.1), 0.2]);
    void pa; void pb;
    pr.reach(1, S.rHand, add(sideOut, [0, 0, 0.03]), armJoints('right'), 'partner hand');
    pr.reach(0, S.lHand, add(sideOut, [0, 0, -0.02]), armJoints('left'), 'left hand holding the partner\'s hand');
    pr.reach(0, S.rHand, rel(pr.b, S.spine2, [0.12, rng.gauss(0.05), -0.1]), armJoints('right', false), 'right hand on the partner\'s waist');
    pr.reach(1, S.lHand, rel(pr.a, S.rCollar, [-0.05, 0.03, 0.05]), armJoints('left'), 'partner hand');
    return pr.done('dance', ['indoor', 'park', 'street']);
  },
};

const push: InteractionTemplate = {
  action: 'push', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.6, 0.75));
    setJoint(pr.a, S.spine1, rng.uniform(0.15, 0.35), 0, 0);
    setLeg(pr.a, rng.pick(SIDES), -0.35, 0.2, 0.05); // one leg back
    standOnFloor(pr.a);
    setJoint(pr.b, S.spine1, -rng.uniform(0.05, 0.2), 0, 0);
    for (const s of SIDES) setArm(pr.b, s, rng.uniform(0.6, 1.0), rng.uniform(0.2, 0.6), rng.uniform(0.3, 1));
    const goals = SIDES.map((s) => ({
      joint: arm(s).hand,
      target: rel(pr.b, S.spine3, [(s === 'left' ? -1 : 1) * rng.uniform(0.07, 0.14), rng.uniform(-0.1, 0.1), 0.14]),
      what: `${s} hand on the partner's chest`,
    }));
    pr.both(0, goals, [S.spine2, ...armJoints('left'), ...armJoints('right', false)]);
    return pr.done('push');
  },
};

const talk: InteractionTemplate = {
  action: 'talk', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(0.9, 1.5));
    for (const body of [pr.a, pr.b]) {
      const s = rng.pick(SIDES);
      if (rng.chance(0.6)) setArm(body, s, rng.uniform(0.7, 1.1), rng.uniform(0.5, 1.0), rng.uniform(1.2, 1.8)); // gesture
      setJoint(body, S.neck, rng.gauss(0.1), rng.gauss(0.15), 0);
      standOnFloor(body);
    }
    return pr.done('talk');
  },
};

const pointAt: InteractionTemplate = {
  action: 'point', category: 'person',
  build(rng) {
    const pr = facing(rng, rng.uniform(1.2, 2.2));
    // A steps aside and turns a little; points at the partner's chest or head with a straight arm
    const side = rng.pick(SIDES), a = arm(side);
    const pa = pose(pr.a), pb = pose(pr.b);
    const sh = jointOf(pa, a.shoulder);
    const aim = jointOf(pb, rng.chance(0.5) ? S.spine3 : S.head);
    const dir = normalize(sub(aim, sh));
    pr.reach(0, a.hand, add(sh, scale(dir, 0.62)), armJoints(side), 'hand pointing at the partner');
    pr.contacts = []; // pointing touches nothing
    return pr.done('point');
  },
};

const piggyback: InteractionTemplate = {
  action: 'piggyback', category: 'person',
  build(rng) {
    // the carrier at the origin facing +z; the rider on the carrier's back. Either may be the annotated person.
    const carrier = newBody(rng);
    for (const s of SIDES) setLeg(carrier, s, rng.uniform(0.1, 0.3), rng.uniform(0.2, 0.45), 0.05);
    setJoint(carrier, S.spine1, rng.uniform(0.2, 0.4), 0, 0);
    for (const s of SIDES) setArm(carrier, s, 1.0, -0.6, 1.2);
    jitterPose(carrier, rng, 0.03, [S.lHip, S.rHip, S.lKnee, S.rKnee]);
    standOnFloor(carrier);
    const pc = pose(carrier);
    const rider = newBody(rng);
    setJoint(rider, S.spine1, rng.uniform(0.1, 0.3), 0, 0);
    for (const s of SIDES) { setLeg(rider, s, rng.uniform(1.0, 1.4), rng.uniform(1.2, 1.7), rng.uniform(0.35, 0.55)); setArm(rider, s, 0.6, 1.0, 1.4); }
    const back = jointOf(pc, S.spine1);
    rider.translation = [back[0], back[1] + rng.uniform(0.02, 0.1), back[2] - rng.uniform(0.24, 0.3)];
    const riderIsPerson = rng.chance(0.5);
    const pr = riderIsPerson ? new Pair(rider, carrier) : new Pair(carrier, rider);
    const r = riderIsPerson ? 0 : 1, c = riderIsPerson ? 1 : 0;
    // rider's hands over the carrier's shoulders onto the chest
    pr.both(r, SIDES.map((s) => ({
      joint: arm(s).hand, target: rel(carrier, S.spine3, [(s === 'left' ? 1 : -1) * rng.uniform(0.04, 0.1), rng.uniform(0.05, 0.12), 0.14]),
      what: `${s} hand on the carrier's chest`,
    })), [S.spine2, ...armJoints('left'), ...armJoints('right', false)]);
    // carrier's hands under the rider's knees
    const pRider = pose(rider);
    pr.both(c, SIDES.map((s) => ({
      joint: arm(s).hand, target: add(jointOf(pRider, s === 'left' ? S.lKnee : S.rKnee), [0, -0.08, -0.04]),
      what: `${s} hand under the rider's knee`,
    })), [...armJoints('left'), ...armJoints('right', false)]);
    return pr.done('piggyback', ['park', 'beach', 'street', 'field']);
  },
};

/** Every human-to-human template. */
export const H2H_TEMPLATES: readonly InteractionTemplate[] = [handshake, hug, highFive, piggyback, dance, talk, push, pointAt];
