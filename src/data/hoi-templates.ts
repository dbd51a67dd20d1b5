/**
 * Human-object interaction templates: for each (V-COCO action, COCO category) a recipe that poses the body
 * (template pose + natural jitter within the joint limits), places a random instance of the object, and brings the
 * body into contact with it by inverse kinematics (hands on grips, hips on a seat, a foot at a ball, feet on a board).
 */
import {
  S, arm, jitterPose, jointOf, leg, newBody, other, pose, setArm, setJoint, setLeg,
  standOnFloor, type Body,
} from './body.ts';
import { solveIk, type IkGoal } from './ik.ts';
import * as O from './objects.ts';
import { place, placeAt, type Placed } from './placement.ts';
import type { Rng } from './rng.ts';
import { Shape } from './shape.ts';
import type { Contact, Interaction, InteractionTemplate } from './types.ts';
import type { Setting } from './background.ts';
import { add, apply, cross, mul, normalize, rotX, rotY, rotZ, scale, sub, toAxisAngle, IDENTITY, type Mat3, type Vec3 } from './vec.ts';
import { paint } from './paints.ts';

type Side = 'left' | 'right';
const SIDES: readonly Side[] = ['left', 'right'];

/** Arm joints IK may move for a hand goal (with or without the upper spine). */
const armJoints = (side: Side, spine = true): number[] => {
  const a = arm(side);
  return [...(spine ? [S.spine3] : []), a.collar, a.shoulder, a.elbow, a.wrist];
};
const legJoints = (side: Side): number[] => {
  const l = leg(side);
  return [l.hip, l.knee, l.ankle];
};

/** Collects goals, runs IK stage by stage, and records the contacts. */
class Rig {
  contacts: Contact[] = [];
  err = 0;
  constructor(public body: Body) {}
  /** Solve goals with the given joints (and translation axes); the goals become contacts. */
  solve(goals: Array<IkGoal & { what: string }>, joints: number[], translate?: [boolean, boolean, boolean], prior = 0.05): this {
    const r = solveIk(this.body, goals, { joints, translate, prior, iterations: 50 });
    this.err = Math.max(this.err, r.maxError);
    for (const g of goals) this.contacts.push({ joint: g.joint, target: g.target, what: g.what });
    return this;
  }
  /** Put the pelvis at `target` (the root translation is the pelvis position). */
  pelvisAt(target: Vec3, what: string): this {
    this.body.translation = [...target];
    this.contacts.push({ joint: S.pelvis, target, what });
    return this;
  }
  /** Recheck every contact (later stages may move earlier joints). */
  finalError(): number {
    const p = pose(this.body);
    let e = 0;
    for (const c of this.contacts) {
      const j = jointOf(p, c.joint);
      e = Math.max(e, Math.hypot(j[0] - c.target[0], j[1] - c.target[1], j[2] - c.target[2]));
    }
    return e;
  }
}

function result(action: string, category: string, rig: Rig, object: Placed, settings: readonly Setting[], furniture: Shape[] = [], extra: Body[] = []): Interaction {
  return { action, category, bodies: [rig.body, ...extra], object, furniture, contacts: rig.contacts, settings, ikError: rig.finalError() };
}

/** A standing body: relaxed pose, jitter, a little weight shift, feet on the floor. */
function standing(rng: Rng, armsToo = true): Body {
  const b = newBody(rng);
  const shift = rng.gauss(0.08);
  setLeg(b, 'left', 0.05 + shift + rng.gauss(0.05), 0.08 + rng.uniform(0, 0.15), 0.04 + rng.gauss(0.03));
  setLeg(b, 'right', 0.05 - shift + rng.gauss(0.05), 0.08 + rng.uniform(0, 0.15), 0.04 + rng.gauss(0.03));
  if (armsToo) for (const s of SIDES) setArm(b, s, 1.2 + rng.gauss(0.1), rng.gauss(0.15), 0.2 + rng.uniform(0, 0.4));
  jitterPose(b, rng, 0.05, [S.lHip, S.rHip, S.lKnee, S.rKnee, S.lAnkle, S.rAnkle]);
  standOnFloor(b);
  return b;
}

/** Root orientation from yaw (about y), then pitch (about the body's x). */
function setRoot(b: Body, yaw: number, pitch = 0, roll = 0): void {
  const r = toAxisAngle(mul(rotY(yaw), mul(rotX(pitch), rotZ(roll))));
  setJoint(b, S.pelvis, r[0], r[1], r[2]);
}

// ---------------------------------------------------------------------------------------------------------------
// Sitting

function seated(rng: Rng, lean: number): Body {
  const b = newBody(rng);
  for (const s of SIDES) setLeg(b, s, 1.5 + rng.gauss(0.12), 1.5 + rng.gauss(0.2), 0.08 + rng.gauss(0.05));
  setJoint(b, S.spine1, lean + rng.gauss(0.08), rng.gauss(0.05), rng.gauss(0.05));
  const hands = rng.int(0, 2);
  for (const s of SIDES) {
    if (hands === 0) setArm(b, s, 1.1 + rng.gauss(0.1), 0.5 + rng.gauss(0.1), 0.9 + rng.gauss(0.2)); // on the lap
    else if (hands === 1) setArm(b, s, 1.25 + rng.gauss(0.08), rng.gauss(0.15), 0.3 + rng.uniform(0, 0.4)); // down
    else setArm(b, s, 1.0 + rng.gauss(0.15), 0.8 + rng.gauss(0.2), 1.6 + rng.gauss(0.2)); // folded
  }
  jitterPose(b, rng, 0.04, [S.lHip, S.rHip, S.lKnee, S.rKnee]);
  return b;
}

/** Sit on a seat anchor (world), feet to the floor in front. */
function sitOn(rng: Rng, b: Body, seat: Vec3, yaw: number, hip = 0.1, feetFwd = 0.45): Rig {
  setRoot(b, yaw);
  const rig = new Rig(b);
  rig.pelvisAt([seat[0], seat[1] + hip, seat[2]], 'seat');
  const fwd: Vec3 = [Math.sin(yaw), 0, Math.cos(yaw)], left: Vec3 = [Math.cos(yaw), 0, -Math.sin(yaw)];
  for (const s of SIDES) {
    const l = leg(s);
    const x = l.sx * rng.uniform(0.09, 0.2), z = feetFwd + rng.uniform(-0.1, 0.15);
    const target = add(add(seat, scale(left, x)), scale(fwd, z));
    target[1] = 0.08;
    rig.solve([{ joint: l.ankle, target, what: `${s} foot on the floor` }], legJoints(s), undefined, 0.03);
  }
  // the floor contact is scenery, not the object: keep only the seat as a contact of the object
  rig.contacts = rig.contacts.filter((c) => c.what === 'seat');
  return rig;
}

function sitTemplate(category: 'chair' | 'bench' | 'couch'): InteractionTemplate {
  return {
    action: 'sit', category,
    build(rng) {
      const m = category === 'chair' ? O.chair(rng) : category === 'bench' ? O.bench(rng) : O.couch(rng);
      const obj = place(m);
      const b = seated(rng, category === 'couch' ? -0.15 : 0.05);
      const rig = sitOn(rng, b, obj.at('seat'), rng.gauss(0.15), category === 'couch' ? 0.09 : 0.1, category === 'couch' ? 0.55 : 0.42);
      const settings: Setting[] = category === 'couch' ? ['indoor'] : category === 'bench' ? ['park', 'street', 'park'] : ['indoor', 'park'];
      return result('sit', category, rig, obj, settings);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Riding

function riding(rng: Rng, lean: number): Body {
  const b = newBody(rng);
  setJoint(b, S.spine1, lean + rng.gauss(0.08), 0, 0);
  setJoint(b, S.spine2, lean * 0.5 + rng.gauss(0.05), 0, 0);
  setJoint(b, S.neck, -lean * 0.6 + rng.gauss(0.1), rng.gauss(0.1), 0);
  for (const s of SIDES) {
    setLeg(b, s, 1.0 + rng.gauss(0.1), 1.0 + rng.gauss(0.2), 0.1);
    setArm(b, s, 0.9, 0.9, 0.5);
  }
  jitterPose(b, rng, 0.03);
  return b;
}

function rideTemplate(category: 'bicycle' | 'motorcycle' | 'horse'): InteractionTemplate {
  return {
    action: 'ride', category,
    build(rng) {
      const m = category === 'bicycle' ? O.bicycle(rng) : category === 'motorcycle' ? O.motorcycle(rng) : O.horse(rng);
      const obj = place(m);
      const b = riding(rng, category === 'bicycle' ? rng.uniform(0.3, 0.55) : category === 'motorcycle' ? rng.uniform(0.1, 0.35) : rng.uniform(-0.05, 0.15));
      if (category === 'horse') for (const s of SIDES) setLeg(b, s, 0.7 + rng.gauss(0.1), 1.1 + rng.gauss(0.15), 0.55 + rng.gauss(0.05));
      const rig = new Rig(b);
      rig.pelvisAt(add(obj.at('saddle'), [0, 0.07, 0]), 'saddle');
      // feet on pedals / pegs / stirrups
      for (const s of SIDES) {
        const key = category === 'bicycle' ? (s === 'left' ? 'lPedal' : 'rPedal') : category === 'motorcycle' ? (s === 'left' ? 'lPeg' : 'rPeg') : (s === 'left' ? 'lStirrup' : 'rStirrup');
        rig.solve([{ joint: leg(s).foot, target: obj.at(key), what: `${s} foot on ${key}` }], legJoints(s), undefined, 0.02);
      }
      // hands on the grips / reins
      const lh = category === 'horse' ? add(obj.at('reins'), [0.09, 0, 0]) : obj.at('lGrip');
      const rh = category === 'horse' ? add(obj.at('reins'), [-0.09, 0, 0]) : obj.at('rGrip');
      rig.solve([
        { joint: S.lHand, target: lh, what: 'left hand on the grip' },
        { joint: S.rHand, target: rh, what: 'right hand on the grip' },
      ], [S.spine2, ...armJoints('left'), S.lCollar, ...armJoints('right', false)], undefined, 0.02);
      const settings: Setting[] = category === 'horse' ? ['park', 'field', 'beach'] : ['street', 'park'];
      return result('ride', category, rig, obj, settings);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-held objects

function holdCup(action: 'hold' | 'drink'): InteractionTemplate {
  return {
    action, category: 'cup',
    build(rng) {
      const m = O.cup(rng);
      const b = standing(rng);
      const side = rng.pick(SIDES), a = arm(side);
      const rig = new Rig(b);
      let grip: Vec3, R: Mat3;
      if (action === 'drink') {
        setJoint(b, S.neck, -0.15 + rng.gauss(0.08), rng.gauss(0.1), 0);
        setJoint(b, S.head, -0.2 + rng.gauss(0.08), 0, 0);
        const p = pose(b);
        const mouth = add(jointOf(p, S.head), [0, 0.03, 0.1]);
        grip = add(mouth, [a.sx * 0.02, -0.1 - rng.uniform(0, 0.03), 0.06 + rng.uniform(0, 0.03)]);
        R = mul(rotY(a.sx * rng.uniform(-0.3, 0.3)), rotX(-rng.uniform(0.6, 1.1)));
      } else {
        const p = pose(b);
        const sh = jointOf(p, a.shoulder);
        grip = add(sh, [a.sx * rng.uniform(-0.2, 0.05), -rng.uniform(0.25, 0.5), rng.uniform(0.2, 0.4)]);
        R = rotY(rng.uniform(0, 6.28));
      }
      rig.solve([{ joint: a.hand, target: grip, what: 'hand on the cup' }], armJoints(side), undefined, 0.03);
      // the cup sits beside the hand, towards the body's midline and forward
      const h = jointOf(pose(b), a.hand);
      const dir = normalize([-a.sx * 0.6, 0, 0.8]);
      const obj = placeAt(m, R, m.anchors.grip, add(h, scale(dir, m.dims.radius + 0.02)));
      return result(action, 'cup', rig, obj, ['indoor', 'park', 'street']);
    },
  };
}

function eatFood(category: 'donut' | 'pizza'): InteractionTemplate {
  return {
    action: 'eat', category,
    build(rng) {
      const m = category === 'donut' ? O.donut(rng) : O.pizzaSlice(rng);
      const b = standing(rng);
      const side = rng.pick(SIDES), a = arm(side);
      setJoint(b, S.neck, rng.uniform(0, 0.25), rng.gauss(0.1), 0);
      const p = pose(b);
      const mouth = add(jointOf(p, S.head), [0, 0.02, 0.1]);
      const bite = rng.chance(0.6); // at the mouth, or lowered while chewing
      const grip = bite ? add(mouth, [a.sx * 0.03, -0.05, 0.08]) : add(jointOf(p, a.shoulder), [-a.sx * 0.1, -rng.uniform(0.15, 0.3), rng.uniform(0.2, 0.3)]);
      const rig = new Rig(b).solve([{ joint: a.hand, target: grip, what: `hand on the ${category}` }], armJoints(side), undefined, 0.03);
      const h = jointOf(pose(b), a.hand);
      // pizza: crust in the hand, tip towards the mouth; donut: held at its rim, upright
      const R = category === 'pizza' ? mul(rotY(Math.PI + a.sx * rng.uniform(0.2, 0.6)), rotX(-rng.uniform(0.1, 0.5))) : mul(rotY(a.sx * 0.5), rotZ(-a.sx * Math.PI / 2 + rng.gauss(0.3)));
      const obj = placeAt(m, R, m.anchors.grip, add(h, [-a.sx * 0.02, 0.01, 0.02]));
      return result('eat', category, rig, obj, ['indoor', 'park', 'street']);
    },
  };
}

const holdUmbrella: InteractionTemplate = {
  action: 'hold', category: 'umbrella',
  build(rng) {
    const m = O.umbrella(rng);
    const b = standing(rng);
    const side = rng.pick(SIDES), a = arm(side);
    const p = pose(b);
    const sh = jointOf(p, a.shoulder);
    const grip = add(sh, [-a.sx * rng.uniform(0.05, 0.18), -rng.uniform(0.1, 0.35), rng.uniform(0.18, 0.3)]);
    const rig = new Rig(b).solve([{ joint: a.hand, target: grip, what: 'hand on the handle' }], armJoints(side), undefined, 0.03);
    const h = jointOf(pose(b), a.hand);
    const R = mul(rotZ(rng.gauss(0.12)), rotX(-rng.uniform(0, 0.25)));
    const obj = placeAt(m, R, m.anchors.grip, h);
    return result('hold', 'umbrella', rig, obj, ['street', 'park', 'beach']);
  },
};

const talkOnPhone: InteractionTemplate = {
  action: 'talk_on_phone', category: 'cell phone',
  build(rng) {
    const m = O.cellPhone(rng);
    const b = standing(rng);
    const side = rng.pick(SIDES), a = arm(side);
    setJoint(b, S.neck, rng.gauss(0.1), rng.gauss(0.15), a.sx * rng.uniform(0, 0.15));
    setArm(b, side, 0.9, 0.6, 2.2);
    const p = pose(b);
    const ear = [p.coco[(side === 'left' ? 3 : 4) * 3], p.coco[(side === 'left' ? 3 : 4) * 3 + 1], p.coco[(side === 'left' ? 3 : 4) * 3 + 2]] as Vec3;
    const target = add(ear, [a.sx * 0.045, -0.06, 0.03]);
    const rig = new Rig(b).solve([{ joint: a.hand, target, what: 'hand at the ear with the phone' }], [a.collar, a.shoulder, a.elbow, a.wrist], undefined, 0.02);
    const h = jointOf(pose(b), a.hand);
    const R = mul(rotX(-rng.uniform(0.2, 0.6)), rotY(-a.sx * Math.PI / 2));
    const obj = placeAt(m, R, m.anchors.grip, add(h, [-a.sx * 0.015, 0.02, 0]));
    return result('talk_on_phone', 'cell phone', rig, obj, ['street', 'indoor', 'park']);
  },
};

const readBook: InteractionTemplate = {
  action: 'read', category: 'book',
  build(rng) {
    const m = O.book(rng, rng.chance(0.8));
    const b = standing(rng);
    setJoint(b, S.neck, 0.25 + rng.gauss(0.08), rng.gauss(0.08), 0);
    setJoint(b, S.head, 0.2 + rng.gauss(0.08), 0, 0);
    const p = pose(b);
    const chest = jointOf(p, S.spine3);
    const centre = add(chest, [rng.gauss(0.04), -rng.uniform(0.02, 0.2), rng.uniform(0.3, 0.42)]);
    // pages face the reader (-z), top tilted away
    const R = mul(rotX(rng.uniform(0.5, 0.9)), rotY(Math.PI));
    const obj = place(m, R, centre);
    const g1 = obj.at('lGrip'), g2 = obj.at('rGrip');
    const [lg, rg] = g1[0] > g2[0] ? [g1, g2] : [g2, g1];
    const rig = new Rig(b).solve([
      { joint: S.lHand, target: lg, what: 'left hand on the book' },
      { joint: S.rHand, target: rg, what: 'right hand on the book' },
    ], [...armJoints('left'), ...armJoints('right', false)], undefined, 0.02);
    return result('read', 'book', rig, obj, ['indoor', 'park']);
  },
};

const workOnLaptop: InteractionTemplate = {
  action: 'work_on_computer', category: 'laptop',
  build(rng) {
    const m = O.laptop(rng);
    const d = O.desk(rng);
    const ch = O.chair(rng);
    const b = seated(rng, 0.15 + rng.gauss(0.08));
    setJoint(b, S.neck, 0.2 + rng.gauss(0.08), rng.gauss(0.08), 0);
    const chair = place(ch, IDENTITY, [0, 0, 0]);
    const rig = sitOn(rng, b, chair.at('seat'), 0, 0.1, 0.45);
    rig.contacts = []; // the chair is scenery: only the laptop contacts count
    const deskZ = chair.at('seat')[2] + rng.uniform(0.4, 0.55) + d.depth / 2;
    const deskShape = d.shape.transformed(IDENTITY, [rng.gauss(0.08), 0, deskZ]);
    const lap = place(m, rotY(rng.gauss(0.1)), [rng.gauss(0.04), d.height, deskZ - d.depth / 2 + m.dims.depth / 2 + rng.uniform(0.03, 0.12)]);
    rig.solve([
      { joint: S.lHand, target: add(lap.at('lKey'), [0, 0.02, 0]), what: 'left hand on the keyboard' },
      { joint: S.rHand, target: add(lap.at('rKey'), [0, 0.02, 0]), what: 'right hand on the keyboard' },
    ], [S.spine2, ...armJoints('left'), ...armJoints('right', false)], undefined, 0.02);
    return result('work_on_computer', 'laptop', rig, lap, ['indoor'], [deskShape, chair.shape]);
  },
};

const carrySuitcase: InteractionTemplate = {
  action: 'carry', category: 'suitcase',
  build(rng) {
    const m = O.suitcase(rng);
    const b = standing(rng);
    const side = rng.pick(SIDES), a = arm(side);
    setArm(b, side, 1.3, rng.gauss(0.05), 0.1);
    setJoint(b, S.spine1, 0, 0, -a.sx * rng.uniform(0.02, 0.1)); // lean away from the load
    standOnFloor(b);
    const hand = jointOf(pose(b), a.hand);
    const lift = rng.uniform(0.04, 0.15);
    const grip: Vec3 = [hand[0] + a.sx * rng.uniform(0.02, 0.08), m.dims.height + 0.078 + lift, hand[2] + rng.gauss(0.04)];
    if (grip[1] > hand[1] + 0.05) grip[1] = hand[1] + 0.02;
    const R = rotY(Math.PI / 2 + rng.gauss(0.15));
    const obj = placeAt(m, R, m.anchors.grip, grip);
    const rig = new Rig(b).solve([{ joint: a.hand, target: grip, what: 'hand on the handle' }], armJoints(side), undefined, 0.03);
    return result('carry', 'suitcase', rig, obj, ['street', 'indoor']);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Sports

const kickBall: InteractionTemplate = {
  action: 'kick', category: 'sports ball',
  build(rng) {
    const m = O.sportsBall(rng);
    const b = standing(rng, false);
    const side = rng.pick(SIDES), l = leg(side), sup = leg(other(side));
    setLeg(b, side, rng.uniform(0.3, 0.8), rng.uniform(0.2, 0.9), rng.gauss(0.05));
    setLeg(b, other(side), 0.1, rng.uniform(0.1, 0.35), 0.05);
    setJoint(b, S.spine1, rng.uniform(-0.1, 0.2), rng.gauss(0.1), 0);
    for (const s of SIDES) setArm(b, s, rng.uniform(0.3, 0.9), (s === side ? 1 : -1) * rng.uniform(0, 0.6), rng.uniform(0.2, 0.8));
    // support foot on the floor
    const p0 = pose(b);
    b.translation = [0, b.translation[1] - (jointOf(p0, sup.ankle)[1] - 0.075), 0];
    const p = pose(b);
    const supFoot = jointOf(p, sup.ankle);
    const r = m.dims.radius;
    const ball: Vec3 = [supFoot[0] + l.sx * rng.uniform(0.1, 0.25), r, supFoot[2] + rng.uniform(0.25, 0.45)];
    const target = add(ball, [0, -r * 0.2, -(r + 0.04)]);
    const rig = new Rig(b).solve([{ joint: l.foot, target, what: 'foot at the ball' }], legJoints(side), undefined, 0.02);
    const obj = place(m, IDENTITY, ball);
    return result('kick', 'sports ball', rig, obj, ['park', 'field', 'street']);
  },
};

const catchBall: InteractionTemplate = {
  action: 'catch', category: 'sports ball',
  build(rng) {
    const m = O.sportsBall(rng);
    const b = standing(rng);
    for (const s of SIDES) setArm(b, s, rng.uniform(-0.2, 0.6), 1.0, 0.6);
    const p = pose(b);
    const r = m.dims.radius;
    const centre = add(jointOf(p, S.neck), [rng.gauss(0.08), rng.uniform(-0.35, 0.35), rng.uniform(0.35, 0.5)]);
    const obj = place(m, IDENTITY, centre);
    const rig = new Rig(b).solve([
      { joint: S.lHand, target: add(centre, [r + 0.02, 0, -0.02]), what: 'left hand on the ball' },
      { joint: S.rHand, target: add(centre, [-(r + 0.02), 0, -0.02]), what: 'right hand on the ball' },
    ], [...armJoints('left'), ...armJoints('right', false)], undefined, 0.02);
    return result('catch', 'sports ball', rig, obj, ['park', 'field', 'beach', 'court']);
  },
};

const throwFrisbee: InteractionTemplate = {
  action: 'throw', category: 'frisbee',
  build(rng) {
    const m = O.frisbee(rng);
    const b = standing(rng);
    const side = rng.pick(SIDES), a = arm(side);
    setJoint(b, S.spine1, rng.uniform(0, 0.2), a.sx * rng.uniform(-0.4, 0.4), 0);
    const p = pose(b);
    const sh = jointOf(p, a.shoulder);
    const ang = rng.uniform(-0.6, 1.3); // from across the body to out to the side
    const reach = rng.uniform(0.45, 0.6);
    const dir = normalize([a.sx * Math.sin(ang), rng.uniform(-0.45, 0.1), Math.cos(ang)]);
    const grip = add(sh, scale(dir, reach));
    const rig = new Rig(b).solve([{ joint: a.hand, target: grip, what: 'hand on the frisbee' }], armJoints(side), undefined, 0.03);
    const h = jointOf(pose(b), a.hand);
    const out = normalize([dir[0], 0, dir[2]]);
    const R = mul(rotY(Math.atan2(out[0], out[2]) - Math.PI / 2), rotZ(rng.gauss(0.2)));
    const obj = placeAt(m, R, m.anchors.grip, h);
    for (const s of SIDES) if (s !== side) setArm(b, s, rng.uniform(0.6, 1.2), rng.gauss(0.4), rng.uniform(0.2, 1));
    return result('throw', 'frisbee', rig, obj, ['park', 'beach', 'field']);
  },
};

const hitTennis: InteractionTemplate = {
  action: 'hit', category: 'tennis racket',
  build(rng) {
    const m = O.tennisRacket(rng);
    const b = standing(rng);
    const side = rng.pick(SIDES), a = arm(side);
    for (const s of SIDES) setLeg(b, s, rng.uniform(0.1, 0.4), rng.uniform(0.2, 0.6), rng.uniform(0.1, 0.25));
    setJoint(b, S.spine1, rng.uniform(0.05, 0.3), a.sx * rng.uniform(-0.3, 0.3), 0);
    standOnFloor(b);
    const p = pose(b);
    const sh = jointOf(p, a.shoulder);
    const ang = rng.uniform(0.3, 1.6);
    const dir = normalize([a.sx * Math.sin(ang), rng.uniform(-0.5, 0.4), Math.cos(ang)]);
    const rig = new Rig(b).solve([{ joint: a.hand, target: add(sh, scale(dir, 0.55)), what: 'hand on the racket handle' }], armJoints(side), undefined, 0.03);
    const q = pose(b);
    const h = jointOf(q, a.hand), e = jointOf(q, a.elbow);
    // racket along the forearm, bent upward a little
    const axis = normalize(add(normalize(sub(h, e)), [0, rng.uniform(0.2, 0.8), 0]));
    const obj = placeAt(m, alignY(axis, rng.uniform(0, 3.14)), m.anchors.grip, h);
    return result('hit', 'tennis racket', rig, obj, ['court']);
  },
};

const hitBaseball: InteractionTemplate = {
  action: 'hit', category: 'baseball bat',
  build(rng) {
    const m = O.baseballBat(rng);
    const b = standing(rng);
    for (const s of SIDES) setLeg(b, s, rng.uniform(0.1, 0.35), rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.3));
    setJoint(b, S.spine1, rng.uniform(0.1, 0.3), rng.gauss(0.3), 0);
    standOnFloor(b);
    const p = pose(b);
    const rear = rng.pick(SIDES), ra = arm(rear);
    const stance = rng.chance(0.5);
    let grip: Vec3, axis: Vec3;
    if (stance) { // loaded: hands by the rear shoulder, bat up and back
      grip = add(jointOf(p, ra.shoulder), [-ra.sx * 0.05, rng.uniform(-0.15, 0.05), rng.uniform(0.12, 0.22)]);
      axis = normalize([ra.sx * rng.uniform(0.1, 0.5), 1, -rng.uniform(0.2, 0.8)]);
    } else { // swing: hands in front at the waist, bat level
      grip = add(jointOf(p, S.spine1), [ra.sx * rng.uniform(-0.15, 0.1), rng.uniform(0.0, 0.2), rng.uniform(0.35, 0.45)]);
      axis = normalize([-ra.sx * rng.uniform(0.3, 1), rng.uniform(-0.2, 0.3), rng.uniform(0.2, 1)]);
    }
    const R = alignY(axis, rng.uniform(0, 3.14));
    const obj = placeAt(m, R, m.anchors.grip, grip);
    const lower = obj.at('grip'), upper = obj.at('grip2');
    const top = other(rear);
    const rig = new Rig(b).solve([
      { joint: arm(rear).hand, target: lower, what: 'lower hand on the bat' },
      { joint: arm(top).hand, target: upper, what: 'upper hand on the bat' },
    ], [...armJoints('left'), ...armJoints('right', false)], undefined, 0.02);
    return result('hit', 'baseball bat', rig, obj, ['field']);
  },
};

/** A rotation whose +y axis is `axis`, spun by `spin` about it. */
function alignY(axis: Vec3, spin: number): Mat3 {
  const y = normalize(axis);
  const ref: Vec3 = Math.abs(y[1]) < 0.9 ? [0, 1, 0] : [1, 0, 0];
  let x = normalize(cross(ref, y));
  let z = cross(x, y);
  const c = Math.cos(spin), s = Math.sin(spin);
  const x2: Vec3 = add(scale(x, c), scale(z, s)), z2: Vec3 = add(scale(x, -s), scale(z, c));
  x = x2; z = z2;
  return [x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]];
}

// ---------------------------------------------------------------------------------------------------------------
// Boards

function boardTemplate(action: 'surf' | 'skateboard' | 'snowboard' | 'jump', category: 'surfboard' | 'skateboard' | 'snowboard'): InteractionTemplate {
  return {
    action, category,
    build(rng) {
      const m = category === 'surfboard' ? O.surfboard(rng) : category === 'snowboard' ? O.snowboard(rng) : O.skateboard(rng);
      const b = newBody(rng);
      const crouch = category === 'surfboard' ? rng.uniform(0.3, 0.8) : rng.uniform(0.1, 0.5);
      for (const s of SIDES) setLeg(b, s, crouch * 0.8, crouch * 1.3, rng.uniform(0.2, 0.35));
      setJoint(b, S.spine1, crouch * 0.5 + rng.gauss(0.1), rng.gauss(0.2), 0);
      for (const s of SIDES) setArm(b, s, rng.uniform(0.2, 1.0), rng.gauss(0.5), rng.uniform(0.1, 0.8));
      const front = rng.pick(SIDES);
      setJoint(b, S.neck, 0, arm(front).sx * rng.uniform(0.3, 0.6), 0); // look where the board goes
      jitterPose(b, rng, 0.03);
      // the board runs along the body's x axis (sideways stance), nose on the front foot's side
      const R = rotY(arm(front).sx * Math.PI / 2 + rng.gauss(0.08));
      // a jump lifts the board off the ground, tilted
      const lift = action === 'jump' ? rng.uniform(0.25, 0.7) : 0;
      const R2 = action === 'jump' ? mul(rotX(rng.gauss(0.15)), mul(R, rotX(rng.gauss(0.25)))) : R;
      const board = place(m, R2, [0, lift, 0]);
      if (action === 'jump') for (const s of SIDES) setLeg(b, s, rng.uniform(0.6, 1.1), rng.uniform(1.0, 1.7), rng.uniform(0.15, 0.3));
      const top = (category === 'surfboard' ? 0.06 : category === 'snowboard' ? 0.02 : 0.085) + lift;
      const half = category === 'surfboard' ? rng.uniform(0.25, 0.38) : category === 'snowboard' ? m.dims.gap : rng.uniform(0.18, 0.26);
      const along = normalize(apply(R2, [0, 0, 1]));
      const rig = new Rig(b);
      b.translation = [0, 0.95, 0];
      const goals = SIDES.map((s) => {
        const sign = s === front ? 1 : -1;
        return { joint: leg(s).ankle, target: add([0, top + 0.08, 0], scale(along, sign * half)), what: `${s} foot on the board` };
      });
      rig.solve(goals, [...legJoints('left'), ...legJoints('right')], [true, true, true], 0.03);
      const settings: Setting[] = category === 'surfboard' ? ['sea'] : category === 'snowboard' ? ['snow'] : ['street', 'park'];
      return result(action, category, rig, board, settings);
    },
  };
}

const ski: InteractionTemplate = {
  action: 'ski', category: 'skis',
  build(rng) {
    const m = O.skis(rng);
    const b = newBody(rng);
    const crouch = rng.uniform(0.2, 0.7);
    for (const s of SIDES) setLeg(b, s, crouch, crouch * 1.4, 0.05);
    setJoint(b, S.spine1, crouch * 0.6 + rng.gauss(0.08), rng.gauss(0.15), 0);
    for (const s of SIDES) setArm(b, s, rng.uniform(0.9, 1.2), rng.uniform(0.3, 0.7), rng.uniform(0.6, 1.2));
    jitterPose(b, rng, 0.03);
    const skis = place(m, rotY(rng.gauss(0.1)), [0, 0, 0]);
    b.translation = [0, 0.9, 0];
    const rig = new Rig(b).solve([
      { joint: S.lAnkle, target: add(skis.at('lFoot'), [0, 0.06, -0.04]), what: 'left boot on the ski' },
      { joint: S.rAnkle, target: add(skis.at('rFoot'), [0, 0.06, -0.04]), what: 'right boot on the ski' },
    ], [...legJoints('left'), ...legJoints('right')], [true, true, true], 0.03);
    // poles in the hands, tips in the snow behind and beside
    const p = pose(b);
    const poles = new Shape();
    const pp = paint([50, 50, 55]);
    for (const s of SIDES) {
      const h = jointOf(p, arm(s).hand);
      const tip: Vec3 = [h[0] + arm(s).sx * rng.uniform(0.1, 0.25), 0, h[2] - rng.uniform(0.1, 0.5)];
      poles.capsule(h, tip, 0.008, pp);
      poles.sphere(add(h, [0, 0.02, 0]), 0.022, paint([20, 20, 20]));
    }
    return result('ski', 'skis', rig, skis, ['snow'], [poles]);
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Lying

function layTemplate(category: 'bed' | 'couch'): InteractionTemplate {
  return {
  action: 'lay', category,
  build(rng) {
    const onCouch = category === 'couch';
    const m = onCouch ? O.couch(rng) : O.bed(rng);
    // a couch is lain on along its length: turn it so its length runs along z
    const obj = onCouch ? place(m, rotY(Math.PI / 2)) : place(m);
    const b = newBody(rng);
    const onSide = rng.chance(0.3);
    setRoot(b, 0, -Math.PI / 2 + rng.gauss(0.05), onSide ? (rng.chance(0.5) ? 1 : -1) * rng.uniform(1.2, 1.5) : rng.gauss(0.1));
    const knees = rng.chance(0.35);
    for (const s of SIDES) setLeg(b, s, knees ? rng.uniform(0.6, 1.0) : rng.uniform(0, 0.2), knees ? rng.uniform(1.0, 1.6) : rng.uniform(0, 0.2), rng.uniform(0, 0.15));
    const arms = rng.int(0, 2);
    for (const s of SIDES) {
      if (arms === 0) setArm(b, s, rng.uniform(1.1, 1.4), 0, rng.uniform(0, 0.4));
      else if (arms === 1) setArm(b, s, rng.uniform(0.9, 1.2), rng.uniform(0.3, 0.7), rng.uniform(1.2, 1.8)); // on the belly
      else setArm(b, s, -rng.uniform(0.6, 1.0), 0, rng.uniform(1.8, 2.3)); // hands behind the head
    }
    setJoint(b, S.neck, rng.uniform(0.1, 0.4), rng.gauss(0.2), 0);
    jitterPose(b, rng, 0.03);
    let target: Vec3;
    if (onCouch) {
      const seat = obj.at('seat');
      // knees up on a couch shorter than the body
      for (const s of SIDES) setLeg(b, s, rng.uniform(0.5, 1.0), rng.uniform(0.9, 1.5), rng.uniform(0, 0.1));
      target = [seat[0] + rng.gauss(0.03), seat[1] + (onSide ? 0.15 : 0.1), rng.uniform(-0.1, 0.15)];
    } else {
      const top = obj.at('top');
      target = [top[0] + rng.gauss(0.1) * (m.dims.width - 0.6), top[1] + (onSide ? 0.16 : 0.11), -m.dims.length / 2 + 0.95 + rng.gauss(0.04)];
    }
    const rig = new Rig(b).pelvisAt(target, onCouch ? 'seat' : 'mattress');
    return result('lay', category, rig, obj, onCouch ? ['indoor'] : ['bedroom']);
  },
  };
}

/** Every human-object template; at least 16 (action, category) pairs over V-COCO verbs and COCO objects. */
export const HOI_TEMPLATES: readonly InteractionTemplate[] = [
  sitTemplate('chair'), sitTemplate('bench'), sitTemplate('couch'),
  rideTemplate('bicycle'), rideTemplate('horse'), rideTemplate('motorcycle'),
  holdCup('hold'), holdCup('drink'), holdUmbrella, talkOnPhone, readBook, workOnLaptop,
  kickBall, throwFrisbee, catchBall, hitTennis, hitBaseball,
  boardTemplate('surf', 'surfboard'), boardTemplate('skateboard', 'skateboard'), ski, layTemplate('bed'), carrySuitcase,
  layTemplate('couch'), boardTemplate('snowboard', 'snowboard'), boardTemplate('jump', 'skateboard'), eatFood('donut'), eatFood('pizza'),
];

